import { describe, expect, it } from 'vitest';
import { chartFromResult, errorLocation, errorPosition, historyItems, loadTabs, nextTab, oneLine, saveTabs, toDate } from './sqllab';
import { CATALOG_SQL } from './sqlcomplete';
import type { Meta } from './types';

const entry = (sql: string, i: number) => ({ queryId: `q${i}`, sql, startedAt: `2026-01-01T00:00:0${i}Z`, totalMs: 12.5, rows: 3 });

describe('historyItems', () => {
  it('folds repeated runs, leaves out the catalog read and EXPLAIN, keeps the newest first', () => {
    const items = historyItems([
      entry('SELECT 2', 5), entry('SELECT 2 ', 4), entry(CATALOG_SQL, 3), entry('EXPLAIN PLAN FOR SELECT 1', 2), entry('SELECT 1', 1), entry('SELECT 2', 0),
    ]);
    expect(items.map((i) => [i.sql.trim(), i.runs, i.queryId])).toEqual([['SELECT 2', 2, 'q5'], ['SELECT 1', 1, 'q1'], ['SELECT 2', 1, 'q0']]);
  });

  it('reads times as ISO text or epoch seconds', () => {
    expect(toDate(1767225600).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(toDate('1767225600.5').toISOString()).toBe('2026-01-01T00:00:00.500Z');
    expect(toDate('2026-01-01T00:00:00Z').toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('shows a statement on one line', () => {
    expect(oneLine('SELECT a,\n   b\nFROM t')).toBe('SELECT a, b FROM t');
    expect(oneLine('x'.repeat(200), 10)).toBe('x'.repeat(9) + '…');
  });
});

describe('errors', () => {
  it('reads the position from the location, else the message', () => {
    expect(errorPosition('line 2, column 8', 'x')).toEqual({ line: 2, column: 8 });
    expect(errorPosition(undefined, "Column 'NOPE' not found (line 1, column 8)")).toEqual({ line: 1, column: 8 });
    expect(errorPosition(null, 'no position')).toBeNull();
  });

  it('prints the location once: not again when the message says it', () => {
    expect(errorLocation("Column 'NOPE' not found (line 1, column 8)", 'line 1, column 8')).toBeNull();
    expect(errorLocation('Column not found', 'line 1, column 8')).toBe('line 1, column 8');
    expect(errorLocation('x', undefined)).toBeNull();
  });
});

describe('tabs', () => {
  it('round-trip through storage, and fall back on anything unreadable', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadTabs(storage, 'SELECT 1')).toEqual({ tabs: [{ key: 't1', title: 'Query 1', sql: 'SELECT 1' }], active: 't1' });
    saveTabs(storage, [{ key: 't1', title: 'A', sql: 'SELECT a' }, { key: 't3', title: 'B', sql: 'SELECT b', savedId: 7 }], 't3');
    expect(loadTabs(storage, 'x')).toEqual({ tabs: [{ key: 't1', title: 'A', sql: 'SELECT a' }, { key: 't3', title: 'B', sql: 'SELECT b', savedId: 7 }], active: 't3' });
    store.set('strata.sqllab.tabs', '{not json');
    expect(loadTabs(storage, 'x').tabs[0].sql).toBe('x');
    store.set('strata.sqllab.tabs', JSON.stringify({ tabs: [{ key: 1 }], active: 'zz' }));
    expect(loadTabs(storage, 'x').tabs).toHaveLength(1);
    expect(nextTab([{ key: 't1', title: 'Query 1', sql: '' }, { key: 't2', title: 'Query 2', sql: '' }])).toEqual({ key: 't3', title: 'Query 3' });
    expect(nextTab([{ key: 't2', title: 'Query 2', sql: '' }])).toEqual({ key: 't3', title: 'Query 3' });
  });
});

describe('chartFromResult', () => {
  const meta: Meta = {
    models: [{ name: 'orders', title: 'Orders', dataSource: 'demo', dimensions: [{ name: 'orders.status', shortName: 'status', kind: 'dimension', type: 'string', title: 'Status' }, { name: 'orders.ordered_at', shortName: 'ordered_at', kind: 'dimension', type: 'time', title: 'Ordered at' }], measures: [{ name: 'orders.count', shortName: 'count', kind: 'measure', type: 'number', title: 'Count' }], metrics: [], segments: [], joins: [] }],
    views: [{ name: 'sales', columns: [{ name: 'sales.revenue', member: 'order_items.revenue', kind: 'measure', type: 'number', title: 'Revenue' }, { name: 'sales.region', member: 'customers.region', kind: 'dimension', type: 'string', title: 'Region' }] }],
  };

  it('turns a result over a view into a bar chart of its measures by its dimensions', () => {
    expect(chartFromResult('SELECT region, MEASURE(revenue) AS revenue\nFROM semantic.sales GROUP BY region', [{ name: 'region' }, { name: 'REVENUE' }, { name: 'other' }], meta))
      .toEqual({ title: 'revenue by region', query: { measures: ['sales.revenue'], dimensions: ['sales.region'] }, viz: { type: 'bar' } });
  });

  it('a time dimension makes a monthly line; a single measure a number', () => {
    expect(chartFromResult('select ordered_at, measure(count) as count from orders group by 1', [{ name: 'ordered_at' }, { name: 'count' }], meta))
      .toEqual({ title: 'count by ordered_at', query: { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.ordered_at', granularity: 'month' }] }, viz: { type: 'line' } });
    expect(chartFromResult('SELECT MEASURE(count) AS count FROM semantic.orders', [{ name: 'count' }], meta)!.viz.type).toBe('number');
  });

  it('is null for SQL over a data source\'s own tables or columns that are no members', () => {
    expect(chartFromResult('SELECT * FROM demo.retail.orders', [{ name: 'order_id' }], meta)).toBeNull();
    expect(chartFromResult('SELECT 1 AS x FROM semantic.sales', [{ name: 'x' }], meta)).toBeNull();
  });
});
