import { describe, expect, it } from 'vitest';
import { decodeView, encodeView, sameFilters, type DashboardView } from './dashboardUrl';
import type { FilterState } from './query';
import type { DashboardFilters } from './types';

const bar: DashboardFilters = { timeDimension: 'orders.ordered_at', dateRange: ['2024-01-01', '2024-12-31'], granularity: 'month', dimensions: ['customers.region', 'orders.status'] };
const defaults: FilterState = { values: {}, dateRange: ['2024-01-01', '2024-12-31'], granularity: null };

describe('dashboard view in the URL', () => {
  it('round-trips filters with awkward values, the date range, the grain and the refresh interval', () => {
    const view: DashboardView = {
      filters: { values: { 'customers.region': ['West', 'North & East, "big"'], 'orders.status': ['a=b?c#d'] }, dateRange: ['2023-02-01', '2023-03-31'], granularity: 'week' },
      refreshMinutes: 5,
    };
    const url = encodeView(new URLSearchParams('tab=2'), view).toString();
    const back = decodeView(new URLSearchParams(url), bar, defaults);
    expect(back.problems).toEqual([]);
    expect(back.hasFilters).toBe(true);
    expect(back.view).toEqual(view);
    // other features' parameters are kept
    expect(new URLSearchParams(url).get('tab')).toBe('2');
    expect(url).toContain('from=2023-02-01');
    expect(url).toContain('grain=week');
  });

  it('replaces its own parameters rather than adding to them', () => {
    const first = encodeView(new URLSearchParams(), { filters: { values: { 'orders.status': ['x', 'y'] }, dateRange: null }, refreshMinutes: 0 });
    const second = encodeView(first, { filters: { values: { 'orders.status': ['z'] }, dateRange: null }, refreshMinutes: 0 });
    expect(second.getAll('f.orders.status')).toEqual(['z']);
    expect(second.has('refresh')).toBe(false);
    expect(second.has('from')).toBe(false);
  });

  it('an empty URL gives the dashboard defaults and says it had no filters', () => {
    const d = decodeView(new URLSearchParams(''), bar, defaults);
    expect(d.hasFilters).toBe(false);
    expect(d.problems).toEqual([]);
    expect(d.view).toEqual({ filters: { values: {}, dateRange: ['2024-01-01', '2024-12-31'], granularity: null }, refreshMinutes: 0 });
  });

  it('names what a link gets wrong and uses the rest', () => {
    const d = decodeView(new URLSearchParams('f.customers.regoin=West&f.orders.status=done&from=2024-02-30&to=2024-03-01&grain=fortnight&refresh=7'), bar, defaults);
    expect(d.view.filters.values).toEqual({ 'orders.status': ['done'] });
    expect(d.view.filters.dateRange).toEqual(['2024-01-01', '2024-12-31']);
    expect(d.view.filters.granularity).toBeNull();
    expect(d.view.refreshMinutes).toBe(0);
    expect(d.problems).toHaveLength(4);
    expect(d.problems[0]).toContain('customers.regoin');
    expect(d.problems[1]).toContain('from=2024-02-30');
    expect(d.problems[2]).toContain('"fortnight"');
    expect(d.problems[3]).toContain('"7"');
  });

  it('refuses a range that ends before it starts, and time filters on a dashboard without a time dimension', () => {
    expect(decodeView(new URLSearchParams('from=2024-05-01&to=2024-04-01'), bar, defaults).problems[0]).toContain('ends (2024-04-01) before it starts');
    const d = decodeView(new URLSearchParams('from=2024-01-01&to=2024-02-01&grain=day'), { dimensions: [] }, { values: {} });
    expect(d.problems).toHaveLength(2);
    expect(d.view.filters.dateRange).toBeNull();
  });

  it('compares filter states regardless of value order and empty selections', () => {
    expect(sameFilters({ values: { a: ['1', '2'], b: [] }, dateRange: null }, { values: { a: ['2', '1'] } })).toBe(true);
    expect(sameFilters({ values: { a: ['1'] } }, { values: { a: ['2'] } })).toBe(false);
    expect(sameFilters({ values: {}, granularity: 'day' }, { values: {} })).toBe(false);
  });
});
