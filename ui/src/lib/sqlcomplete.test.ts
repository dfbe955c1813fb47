import { describe, expect, it } from 'vitest';
import { catalogFromInformationSchema, catalogFromMeta, completeSql, referencedTables } from './sqlcomplete';
import type { Meta } from './types';

const member = (name: string, kind: 'dimension' | 'measure', type = kind === 'measure' ? 'number' : 'string') =>
  ({ name, shortName: name.split('.')[1], kind, type, title: name.split('.')[1].replace('_', ' ') });

const meta: Meta = {
  models: [
    { name: 'orders', title: 'Orders', dataSource: 'demo', dimensions: [member('orders.status', 'dimension'), member('orders.ordered_at', 'dimension', 'time')], measures: [member('orders.count', 'measure')], metrics: [], segments: [member('orders.online', 'dimension')], joins: [] },
  ],
  views: [{ name: 'sales', columns: [
    { name: 'sales.revenue', member: 'order_items.revenue', kind: 'measure', type: 'number', title: 'Revenue', description: 'Net of discounts' },
    { name: 'sales.region', member: 'customers.region', kind: 'dimension', type: 'string', title: 'Region' },
  ] }],
};

const catalog = [
  ...catalogFromMeta(meta),
  ...catalogFromInformationSchema([
    ['semantic', 'orders', 'status', 'varchar'],
    ['information_schema', 'tables', 'table_name', 'varchar'],
    ['demo.retail', 'customers', 'customer_id', 'bigint'],
    ['demo.retail', 'customers', 'region', 'varchar'],
    ['demo.retail', 'orders', 'order_id', 'bigint'],
  ]),
];

/** Completes at the `|` in `s`. */
const at = (s: string, explicit = false) => completeSql(catalog, s.replace('|', ''), s.indexOf('|'), explicit);
const labels = (s: string, explicit = false) => at(s, explicit)?.options.map((o) => o.label) ?? [];

describe('the catalog', () => {
  it('has the semantic tables with their members (no segments) and the data sources\' tables without system schemas', () => {
    expect(catalog.map((t) => `${t.schema}.${t.name}`)).toEqual(['semantic.sales', 'semantic.orders', 'demo.retail.customers', 'demo.retail.orders']);
    expect(catalog[1].columns.map((c) => c.name)).toEqual(['status', 'ordered_at', 'count']);
    expect(catalog[2].columns).toEqual([{ name: 'customer_id', type: 'bigint', kind: 'column' }, { name: 'region', type: 'varchar', kind: 'column' }]);
  });

  it('finds the tables a statement reads, by name, qualified name and alias', () => {
    const refs = referencedTables(catalog, 'SELECT * FROM semantic.sales s JOIN demo.retail.customers AS c ON 1=1 WHERE x');
    expect(refs.get('s')?.name).toBe('sales');
    expect(refs.get('c')?.name).toBe('customers');
    expect(refs.get('demo.retail.customers')?.schema).toBe('demo.retail');
    expect(refs.has('where')).toBe(false);
  });
});

describe('completeSql', () => {
  it('offers a view\'s measure inside MEASURE(, and no dimensions there', () => {
    const r = at('SELECT region, MEASURE(rev|) FROM semantic.sales');
    expect(r!.from).toBe('SELECT region, MEASURE('.length);
    const names = r!.options.map((o) => o.label);
    expect(names).toContain('revenue');
    expect(names).not.toContain('region');
    const revenue = r!.options.find((o) => o.label === 'revenue')!;
    expect(revenue.detail).toBe('measure · sales');
    expect(revenue.info).toContain('Net of discounts');
  });

  it('offers the columns of the tables the statement reads, then semantic tables, schemas and functions', () => {
    const names = labels('SELECT sta| FROM semantic.orders');
    expect(names).toEqual(expect.arrayContaining(['status', 'ordered_at', 'count', 'sales', 'orders', 'semantic', 'demo', 'MEASURE', 'DATE_TRUNC']));
    expect(names).not.toContain('region'); // sales is not read
  });

  it('offers every semantic table\'s columns before a FROM names one', () => {
    expect(labels('SELECT reg|')).toEqual(expect.arrayContaining(['region', 'revenue', 'status']));
  });

  it('completes a schema\'s tables and a table\'s or alias\'s columns after a dot', () => {
    expect(labels('SELECT * FROM semantic.|')).toEqual(['sales', 'orders']);
    expect(labels('SELECT * FROM demo.|')).toEqual(['retail']);
    expect(labels('SELECT * FROM demo.retail.cu|')).toEqual(['customers', 'orders']);
    expect(labels('SELECT c.| FROM demo.retail.customers c')).toEqual(['customer_id', 'region']);
    expect(labels('SELECT sales.re| FROM sales')).toEqual(['revenue', 'region']);
    const r = at('SELECT c.reg| FROM demo.retail.customers c');
    expect(r!.from).toBe('SELECT c.'.length);
  });

  it('says nothing unless a word is typed or completion is asked for', () => {
    expect(at('SELECT |')).toBeNull();
    expect(labels('SELECT |', true)).toContain('revenue');
  });
});
