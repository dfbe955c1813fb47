import { describe, expect, it } from 'vitest';
import { modifiedAgo, visibleDashboards } from './dashboards';
import type { Dashboard } from './types';

const d = (id: number, name: string, updatedAt: string, extra: Partial<Dashboard> = {}): Dashboard =>
  ({ id, name, filters: {}, chartCount: 0, createdAt: updatedAt, updatedAt, ...extra });
const list = [
  d(1, 'Retail overview', '2026-01-01T00:00:00Z', { owner: 'admin', description: 'Revenue and orders' }),
  d(2, 'bookings', '2026-03-01T00:00:00Z', { owner: 'vera', favourite: true }),
  d(3, 'Alpha', '2026-02-01T00:00:00Z', { owner: 'admin' }),
];

describe('visibleDashboards', () => {
  it('searches name, description and owner, every word, any case', () => {
    expect(visibleDashboards(list, { search: 'REVENUE', favouritesOnly: false, sort: 'name' }).map((x) => x.id)).toEqual([1]);
    expect(visibleDashboards(list, { search: 'vera', favouritesOnly: false, sort: 'name' }).map((x) => x.id)).toEqual([2]);
    expect(visibleDashboards(list, { search: 'admin retail', favouritesOnly: false, sort: 'name' }).map((x) => x.id)).toEqual([1]);
    expect(visibleDashboards(list, { search: 'nothing', favouritesOnly: false, sort: 'name' })).toEqual([]);
  });
  it('puts favourites first, then sorts by name or newest change, and can show favourites only', () => {
    expect(visibleDashboards(list, { search: '', favouritesOnly: false, sort: 'name' }).map((x) => x.id)).toEqual([2, 3, 1]);
    expect(visibleDashboards(list, { search: '', favouritesOnly: false, sort: 'modified' }).map((x) => x.id)).toEqual([2, 3, 1]);
    expect(visibleDashboards(list.map((x) => ({ ...x, favourite: false })), { search: '', favouritesOnly: false, sort: 'modified' }).map((x) => x.id)).toEqual([2, 3, 1]);
    expect(visibleDashboards(list.map((x) => ({ ...x, favourite: false })), { search: '', favouritesOnly: false, sort: 'name' }).map((x) => x.id)).toEqual([3, 2, 1]);
    expect(visibleDashboards(list, { search: '', favouritesOnly: true, sort: 'name' }).map((x) => x.id)).toEqual([2]);
  });
});

describe('modifiedAgo', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  it('says how long ago', () => {
    expect(modifiedAgo('2026-03-10T11:59:30Z', now)).toBe('just now');
    expect(modifiedAgo('2026-03-10T11:55:00Z', now)).toBe('5 min ago');
    expect(modifiedAgo('2026-03-10T09:00:00Z', now)).toBe('3 h ago');
    expect(modifiedAgo('2026-03-09T10:00:00Z', now)).toBe('yesterday');
    expect(modifiedAgo('2026-03-06T12:00:00Z', now)).toBe('4 days ago');
    expect(modifiedAgo('2025-12-01T12:00:00Z', now)).toBe('2025-12-01');
  });
});
