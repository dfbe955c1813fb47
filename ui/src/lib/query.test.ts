import { describe, expect, it } from 'vitest';
import { applyDashboardFilters, dimensionValuesQuery, pivot, previousPeriod, previousPeriodQuery, toSeries } from './query';
import type { DashboardFilters, SemanticQuery } from './types';

const filters: DashboardFilters = {
  timeDimension: 'orders.ordered_at',
  dateRange: ['2024-01-01', '2024-12-31'],
  granularity: 'month',
  dimensions: ['customers.region', 'orders.channel'],
};

const byMonth: SemanticQuery = {
  measures: ['order_items.revenue'],
  timeDimensions: [{ dimension: 'orders.ordered_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }],
  order: [['orders.ordered_at.month', 'asc']],
};

describe('applyDashboardFilters', () => {
  it('puts the date range and grain on the time dimension and renames the order by it', () => {
    const q = applyDashboardFilters(byMonth, filters, { dateRange: ['2023-04-01', '2023-06-30'], granularity: 'week', values: {} });
    expect(q.timeDimensions).toEqual([{ dimension: 'orders.ordered_at', granularity: 'week', dateRange: ['2023-04-01', '2023-06-30'] }]);
    expect(q.order).toEqual([['orders.ordered_at.week', 'asc']]);
    // the chart's own query is untouched
    expect(byMonth.timeDimensions![0].granularity).toBe('month');
  });

  it('leaves an ungrouped chart ungrouped and adds the range when the chart has no time dimension', () => {
    const total: SemanticQuery = { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.ordered_at', dateRange: ['2024-01-01', '2024-12-31'] }] };
    expect(applyDashboardFilters(total, filters, { granularity: 'week', values: {} }).timeDimensions).toEqual(total.timeDimensions);
    const noTime: SemanticQuery = { measures: ['orders.count'], dimensions: ['orders.status'] };
    const q = applyDashboardFilters(noTime, filters, { dateRange: ['2024-02-01', '2024-02-29'], values: {} });
    expect(q.timeDimensions).toEqual([{ dimension: 'orders.ordered_at', dateRange: ['2024-02-01', '2024-02-29'] }]);
  });

  it('adds an equals filter per selected dimension, replacing the chart\'s own on that member', () => {
    const q = applyDashboardFilters(
      { measures: ['orders.count'], filters: [{ member: 'customers.region', operator: 'equals', values: ['North'] }, { member: 'orders.status', operator: 'notEquals', values: ['cancelled'] }] },
      filters,
      { values: { 'customers.region': ['West', 'East'], 'orders.channel': [] } },
    );
    expect(q.filters).toEqual([
      { member: 'orders.status', operator: 'notEquals', values: ['cancelled'] },
      { member: 'customers.region', operator: 'equals', values: ['West', 'East'] },
    ]);
  });

  it('changes nothing without a selection', () => {
    expect(applyDashboardFilters(byMonth, filters, { values: {} })).toEqual(byMonth);
  });
});

describe('previousPeriod', () => {
  it('moves whole months back by months', () => {
    expect(previousPeriod(['2024-01-01', '2024-12-31'])).toEqual(['2023-01-01', '2023-12-31']);
    expect(previousPeriod(['2024-04-01', '2024-06-30'])).toEqual(['2024-01-01', '2024-03-31']);
    expect(previousPeriod(['2024-03-01', '2024-03-31'])).toEqual(['2024-02-01', '2024-02-29']);
    expect(previousPeriod(['2024-01-01', '2024-01-31'])).toEqual(['2023-12-01', '2023-12-31']);
  });

  it('moves other ranges back by their length in days', () => {
    expect(previousPeriod(['2024-03-10', '2024-03-16'])).toEqual(['2024-03-03', '2024-03-09']);
    expect(previousPeriod(['2024-03-01', '2024-03-01'])).toEqual(['2024-02-29', '2024-02-29']);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => previousPeriod(['2024-03-10', '2024-03-01'])).toThrow(/ends before/);
  });

  it('builds the comparison query, or none for a query without an absolute range', () => {
    const q = previousPeriodQuery({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.ordered_at', dateRange: ['2024-01-01', '2024-12-31'] }] });
    expect(q!.timeDimensions![0].dateRange).toEqual(['2023-01-01', '2023-12-31']);
    expect(previousPeriodQuery({ measures: ['orders.count'] })).toBeNull();
  });
});

describe('dimensionValuesQuery', () => {
  it('asks for the dimension alone with a contains filter and a limit', () => {
    expect(dimensionValuesQuery('products.category', ' elec ', 20)).toEqual({
      dimensions: ['products.category'],
      order: [['products.category', 'asc']],
      limit: 20,
      filters: [{ member: 'products.category', operator: 'contains', values: ['elec'] }],
    });
    expect(dimensionValuesQuery('products.category', '').filters).toBeUndefined();
  });
});

describe('reshaping answers', () => {
  const rows = [
    { 'customers.region': 'East', 'orders.channel': 'web', 'order_items.revenue': 10 },
    { 'customers.region': 'East', 'orders.channel': 'store', 'order_items.revenue': 5 },
    { 'customers.region': 'West', 'orders.channel': 'web', 'order_items.revenue': 7 },
  ];

  it('pivots rows into a cross tab with row totals and empty cells as missing', () => {
    const p = pivot(rows, ['customers.region'], ['orders.channel'], ['order_items.revenue']);
    expect(p.columnKeys).toEqual([['store'], ['web']]);
    expect(p.rows.map((r) => r.key)).toEqual([['East'], ['West']]);
    const east = p.rows[0];
    expect(east.cells[p.cellId(['web'], 'order_items.revenue')]).toBe(10);
    expect(east.cells[p.cellId(['store'], 'order_items.revenue')]).toBe(5);
    expect(east.total['order_items.revenue']).toBe(15);
    expect(p.rows[1].cells[p.cellId(['store'], 'order_items.revenue')]).toBeUndefined();
  });

  it('sums rows that fall into one cell', () => {
    const p = pivot(rows, [], ['orders.channel'], ['order_items.revenue']);
    expect(p.rows).toHaveLength(1);
    expect(p.rows[0].cells[p.cellId(['web'], 'order_items.revenue')]).toBe(17);
  });

  it('makes one series per split value, null where a combination is missing', () => {
    const s = toSeries(rows, 'customers.region', ['order_items.revenue'], 'orders.channel');
    expect(s.categories).toEqual(['East', 'West']);
    expect(s.series).toEqual([
      { name: 'web', data: [10, 7] },
      { name: 'store', data: [5, null] },
    ]);
  });

  it('makes one series per measure without a split', () => {
    const s = toSeries([{ m: '2024-01', a: 1, b: '2.5' }, { m: '2024-02', a: 3, b: null }], 'm', ['a', 'b'], null, { a: 'A' });
    expect(s).toEqual({ categories: ['2024-01', '2024-02'], series: [{ name: 'A', data: [1, 3] }, { name: 'b', data: [2.5, null] }] });
  });
});
