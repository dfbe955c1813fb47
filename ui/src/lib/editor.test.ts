import { describe, expect, it } from 'vitest';
import { buildQuery, EMPTY_EDITOR, fromChart, membersOf } from './editor';
import type { Meta } from './types';

const member = (name: string, kind: 'dimension' | 'measure', type = kind === 'measure' ? 'number' : 'string') =>
  ({ name, shortName: name.split('.')[1], kind, type, title: name });

const meta: Meta = {
  models: [
    { name: 'orders', title: 'Orders', dataSource: 'demo', dimensions: [member('orders.status', 'dimension'), member('orders.ordered_at', 'dimension', 'time')], measures: [member('orders.count', 'measure')], metrics: [], segments: [], joins: [{ model: 'customers', relationship: 'many_to_one' }] },
    { name: 'customers', title: 'Customers', dataSource: 'demo', dimensions: [member('customers.region', 'dimension')], measures: [], metrics: [], segments: [], joins: [] },
    { name: 'order_items', title: 'Order items', dataSource: 'demo', dimensions: [], measures: [member('order_items.revenue', 'measure')], metrics: [], segments: [], joins: [{ model: 'orders', relationship: 'many_to_one' }] },
    { name: 'products', title: 'Products', dataSource: 'demo', dimensions: [member('products.name', 'dimension')], measures: [], metrics: [], segments: [], joins: [] },
  ],
  views: [{ name: 'sales', columns: [{ name: 'sales.revenue', member: 'order_items.revenue', kind: 'measure', type: 'number', title: 'Revenue' }] }],
};

describe('buildQuery', () => {
  it('needs a measure or a dimension', () => {
    expect(buildQuery(EMPTY_EDITOR)).toBeNull();
  });

  it('builds measures, dimensions, a time dimension ordered by its grain, filters and a limit', () => {
    const q = buildQuery({
      ...EMPTY_EDITOR,
      measures: ['orders.count'], dimensions: ['customers.region'],
      timeDimension: 'orders.ordered_at', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['completed'] }, { member: 'orders.status', operator: 'equals', values: [] }, { member: 'customers.region', operator: 'set', values: ['x'] }],
      limit: 100,
    });
    expect(q).toEqual({
      measures: ['orders.count'], dimensions: ['customers.region'],
      timeDimensions: [{ dimension: 'orders.ordered_at', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] }],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['completed'] }, { member: 'customers.region', operator: 'set', values: undefined }],
      order: [['orders.ordered_at.month', 'asc']],
      limit: 100,
    });
  });

  it('sorts by a measure when asked, and by the time column under its grain name', () => {
    expect(buildQuery({ ...EMPTY_EDITOR, measures: ['orders.count'], order: { member: 'orders.count', dir: 'desc' } })!.order).toEqual([['orders.count', 'desc']]);
    expect(buildQuery({ ...EMPTY_EDITOR, measures: ['orders.count'], timeDimension: 'orders.ordered_at', granularity: 'week', order: { member: 'orders.ordered_at', dir: 'desc' } })!.order)
      .toEqual([['orders.ordered_at.week', 'desc']]);
  });

  it('reads a stored chart back into the same query', () => {
    const q = { measures: ['order_items.revenue'], dimensions: ['customers.region'], timeDimensions: [{ dimension: 'orders.ordered_at', dateRange: ['2024-01-01', '2024-12-31'] as [string, string] }], order: [['order_items.revenue', 'desc']] as [string, 'desc'][] };
    const s = fromChart('Revenue by region', q, { type: 'bar' }, meta);
    expect(s.source).toBe('model:order_items');
    expect(buildQuery(s)).toEqual(q);
  });
});

describe('membersOf', () => {
  it('offers the model, the models it joins and those joining it', () => {
    const names = membersOf('model:orders', meta).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['orders.count', 'customers.region', 'order_items.revenue']));
    expect(names).not.toContain('products.name');
  });

  it('offers a view\'s columns', () => {
    expect(membersOf('view:sales', meta).map((m) => m.name)).toEqual(['sales.revenue']);
  });
});
