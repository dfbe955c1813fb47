import { describe, expect, it } from 'vitest';
import { applyCrossFilters, applyDrills, bucketRange, finerGrain, nextDimensions, toggle, underlyingRowsQuery, type CrossFilter, type Pick } from './crossfilter';
import type { Meta, MemberMeta, SemanticQuery } from './types';

const dim = (name: string, extra: Partial<MemberMeta> = {}): MemberMeta => ({ name, shortName: name.split('.')[1], kind: 'dimension', type: 'string', title: name.split('.')[1].replace('_', ' '), ...extra });
const meta: Meta = {
  models: [
    { name: 'orders', title: 'Orders', dataSource: 'd', dimensions: [dim('orders.id', { primaryKey: true, type: 'number' }), dim('orders.channel'), dim('orders.status'), dim('orders.ordered_at', { type: 'time' })],
      measures: [{ name: 'orders.count', shortName: 'count', kind: 'measure', type: 'number', title: 'Count' }], metrics: [], segments: [], joins: [{ model: 'customers', relationship: 'many_to_one' }] },
    { name: 'customers', title: 'Customers', dataSource: 'd', dimensions: [dim('customers.id', { primaryKey: true }), dim('customers.region'), dim('customers.segment')],
      measures: [], metrics: [], segments: [], joins: [] },
    { name: 'tickets', title: 'Tickets', dataSource: 'e', dimensions: [dim('tickets.priority')], measures: [{ name: 'tickets.count', shortName: 'count', kind: 'measure', type: 'number', title: 'Count' }], metrics: [], segments: [], joins: [] },
  ],
  views: [],
};

const region: Pick = { member: 'customers.region', value: 'West', label: 'West' };
const march: Pick = { member: 'orders.ordered_at', value: '2024-03-01T00:00:00.000', label: 'Mar 2024', granularity: 'month' };

const byChannel: SemanticQuery = { measures: ['orders.count'], dimensions: ['orders.channel'], timeDimensions: [{ dimension: 'orders.ordered_at', dateRange: ['2024-01-01', '2024-12-31'] }], order: [['orders.count', 'desc']] };
const byMonth: SemanticQuery = { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.ordered_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }], order: [['orders.ordered_at.month', 'asc']] };

describe('toggle', () => {
  it('adds a chart selection, replaces it with another pick, and removes it when the same is clicked again', () => {
    let s: CrossFilter[] = toggle([], 1, 'By region', [region]);
    expect(s).toEqual([{ chartId: 1, chartTitle: 'By region', picks: [region] }]);
    s = toggle(s, 2, 'By month', [march]);
    expect(s.map((f) => f.chartId)).toEqual([1, 2]);
    const east = { ...region, value: 'East', label: 'East' };
    s = toggle(s, 1, 'By region', [east]);
    expect(s.find((f) => f.chartId === 1)!.picks).toEqual([east]);
    s = toggle(s, 1, 'By region', [{ ...east }]);
    expect(s.map((f) => f.chartId)).toEqual([2]);
    expect(toggle(s, 3, 'x', [])).toBe(s);
  });
});

describe('applyCrossFilters', () => {
  const state: CrossFilter[] = [{ chartId: 1, chartTitle: 'By region', picks: [region] }, { chartId: 2, chartTitle: 'By month', picks: [march] }];

  it('filters the other charts by the picked value and the picked month, never the chart picked on', () => {
    const q = applyCrossFilters(byChannel, state, 3, meta);
    expect(q.filters).toEqual([{ member: 'customers.region', operator: 'equals', values: ['West'] }]);
    expect(q.timeDimensions).toEqual([{ dimension: 'orders.ordered_at', dateRange: ['2024-03-01', '2024-03-31'] }]);
    // chart 1 (the region chart) is filtered by the month only
    const own = applyCrossFilters(byChannel, state, 1, meta);
    expect(own.filters).toBeUndefined();
    expect(own.timeDimensions![0].dateRange).toEqual(['2024-03-01', '2024-03-31']);
    // the chart's query is not changed
    expect(byChannel.filters).toBeUndefined();
    expect(byChannel.timeDimensions![0].dateRange).toEqual(['2024-01-01', '2024-12-31']);
  });

  it('adds a time dimension for a time pick when the chart has none, and skips members the chart cannot reach', () => {
    const noTime: SemanticQuery = { measures: ['orders.count'], dimensions: ['orders.status'] };
    expect(applyCrossFilters(noTime, state, 9, meta).timeDimensions).toEqual([{ dimension: 'orders.ordered_at', dateRange: ['2024-03-01', '2024-03-31'] }]);
    const other: SemanticQuery = { measures: ['tickets.count'], dimensions: ['tickets.priority'] };
    expect(applyCrossFilters(other, state, 9, meta)).toEqual(other);
  });

  it('keeps the dashboard filter on the same member (both apply)', () => {
    const filtered = { ...byChannel, filters: [{ member: 'customers.region', operator: 'equals', values: ['West', 'East'] }] };
    expect(applyCrossFilters(filtered, state, 3, meta).filters).toHaveLength(2);
  });
});

describe('drill-down', () => {
  it('goes to the next finer grain inside the picked bucket and renames the order', () => {
    expect(finerGrain('year')).toBe('quarter');
    expect(finerGrain('month')).toBe('day');
    expect(finerGrain('day')).toBeNull();
    const q = applyDrills(byMonth, [{ kind: 'time', dimension: 'orders.ordered_at', from: 'month', to: 'day', range: bucketRange(march.value, 'month'), label: '' }]);
    expect(q.timeDimensions).toEqual([{ dimension: 'orders.ordered_at', granularity: 'day', dateRange: ['2024-03-01', '2024-03-31'] }]);
    expect(q.order).toEqual([['orders.ordered_at.day', 'asc']]);
  });

  it('goes from a dimension value to the next dimension, with the value as a filter', () => {
    const q = applyDrills(byChannel, [{ kind: 'dimension', member: 'orders.channel', value: 'web', label: '', next: 'orders.status' }]);
    expect(q.dimensions).toEqual(['orders.status']);
    expect(q.filters).toEqual([{ member: 'orders.channel', operator: 'equals', values: ['web'] }]);
    expect(q.order).toEqual([['orders.count', 'desc']]);
  });

  it('offers the dashboard filter dimensions first, then the model own, never keys, time or used ones', () => {
    const next = nextDimensions(byChannel, 'orders.channel', meta, ['customers.region']).map((m) => m.name);
    expect(next).toEqual(['customers.region', 'orders.status', 'customers.segment']);
  });

  it('bucket ranges cover the whole bucket', () => {
    expect(bucketRange('2024-02-01T00:00:00.000', 'month')).toEqual(['2024-02-01', '2024-02-29']);
    expect(bucketRange('2024-04-01', 'quarter')).toEqual(['2024-04-01', '2024-06-30']);
    expect(bucketRange('2023-01-01', 'year')).toEqual(['2023-01-01', '2023-12-31']);
    expect(bucketRange('2024-12-30', 'week')).toEqual(['2024-12-30', '2025-01-05']);
    expect(bucketRange('2024-03-05T00:00:00', 'day')).toEqual(['2024-03-05', '2024-03-05']);
  });
});

describe('underlyingRowsQuery', () => {
  it('lists the model dimensions for the pick, a page at a time in a stable order', () => {
    const q = underlyingRowsQuery(byChannel, [{ member: 'orders.channel', value: 'web', label: 'web' }], meta, 2, 50);
    expect(q.dimensions).toEqual(['orders.id', 'orders.channel', 'orders.status']);
    expect(q.measures).toBeUndefined();
    expect(q.filters).toEqual([{ member: 'orders.channel', operator: 'equals', values: ['web'] }]);
    expect(q.timeDimensions).toEqual([{ dimension: 'orders.ordered_at', dateRange: ['2024-01-01', '2024-12-31'] }]);
    expect(q.order).toEqual([['orders.id', 'asc']]);
    expect(q.limit).toBe(50);
    expect(q.offset).toBe(100);
    expect(underlyingRowsQuery(byMonth, [march], meta, 0).timeDimensions).toEqual([{ dimension: 'orders.ordered_at', dateRange: ['2024-03-01', '2024-03-31'] }]);
    expect(underlyingRowsQuery(byMonth, [march], meta, 0).offset).toBeUndefined();
  });
});
