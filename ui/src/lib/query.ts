// Query building: dashboard filters merged into chart queries, the previous period of a date
// range, and reshaping answers for charts (series, pivots).

import type { DashboardFilters, Filter, Order, SemanticQuery, TimeDimension } from './types';

/** What the user picked in a dashboard's filter bar. */
export interface FilterState {
  dateRange?: [string, string] | null;
  granularity?: string | null;
  /** member → selected values (empty or absent: no filter) */
  values: Record<string, string[]>;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/**
 * The chart's query with the dashboard's filters applied:
 * - the date range goes on the dashboard's time dimension (added as a filtering time dimension
 *   when the chart has none on it);
 * - the time grain replaces the granularity of that time dimension where the chart groups by it
 *   (a chart that does not group by time stays ungrouped);
 * - each dimension with selected values adds an `equals` filter (replacing the chart's own
 *   filter on that member, so the dashboard wins).
 * The chart's query is not modified.
 */
export function applyDashboardFilters(query: SemanticQuery, filters: DashboardFilters | undefined, state: FilterState): SemanticQuery {
  const q = clone(query);
  const td = filters?.timeDimension;
  if (td) {
    const tds: TimeDimension[] = q.timeDimensions ?? [];
    const range = state.dateRange ?? undefined;
    let found = false;
    for (const t of tds) {
      if (t.dimension !== td) continue;
      found = true;
      if (range) t.dateRange = [range[0], range[1]];
      if (t.granularity && state.granularity) {
        const old = t.granularity;
        t.granularity = state.granularity;
        q.order = renameOrder(q.order, `${td}.${old}`, `${td}.${state.granularity}`);
      }
    }
    if (!found && range) tds.push({ dimension: td, dateRange: [range[0], range[1]] });
    if (tds.length) q.timeDimensions = tds;
  }
  const selected = Object.entries(state.values).filter(([, v]) => v && v.length > 0);
  if (selected.length) {
    const members = new Set(selected.map(([m]) => m));
    const kept: Filter[] = (q.filters ?? []).filter((f) => !('member' in f) || !members.has(f.member));
    for (const [member, values] of selected) kept.push({ member, operator: 'equals', values: [...values] });
    q.filters = kept;
  }
  return q;
}

function renameOrder(order: SemanticQuery['order'], from: string, to: string): SemanticQuery['order'] {
  if (!order) return order;
  if (Array.isArray(order)) return order.map(([m, d]) => [m === from ? to : m, d]) as Order;
  const out: Record<string, 'asc' | 'desc'> = {};
  for (const [m, d] of Object.entries(order)) out[m === from ? to : m] = d;
  return out;
}

// ---------------------------------------------------------------- dates

function parseDay(s: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(s);
  if (!m) throw new Error(`not a date: ${s}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * 86400000);
}

function lastOfMonth(y: number, m: number): Date {
  return new Date(Date.UTC(y, m + 1, 0));
}

/**
 * The period just before `[from, to]` (both inclusive), of the same length. A range of whole
 * months (from the 1st to a month's last day) moves back by that many months, so 2024 compares
 * with 2023 and a quarter with the quarter before; any other range moves back by its length in days.
 */
export function previousPeriod(range: [string, string]): [string, string] {
  const from = parseDay(range[0]);
  const to = parseDay(range[1]);
  if (to < from) throw new Error(`date range ends before it starts: ${range[0]} .. ${range[1]}`);
  const wholeMonths = from.getUTCDate() === 1
    && day(to) === day(lastOfMonth(to.getUTCFullYear(), to.getUTCMonth()));
  if (wholeMonths) {
    const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + 1;
    const start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - months, 1));
    return [day(start), day(addDays(from, -1))];
  }
  const days = Math.round((to.getTime() - from.getTime()) / 86400000) + 1;
  return [day(addDays(from, -days)), day(addDays(from, -1))];
}

/** The date range a query filters its time dimension on, if absolute. */
export function queryDateRange(q: SemanticQuery, dimension?: string): [string, string] | null {
  for (const t of q.timeDimensions ?? []) {
    if (dimension && t.dimension !== dimension) continue;
    if (Array.isArray(t.dateRange) && t.dateRange.length === 2) return [t.dateRange[0], t.dateRange[1]];
  }
  return null;
}

/** The same query over the previous period (null when it has no absolute date range). */
export function previousPeriodQuery(q: SemanticQuery): SemanticQuery | null {
  const range = queryDateRange(q);
  if (!range) return null;
  const prev = previousPeriod(range);
  const out = clone(q);
  for (const t of out.timeDimensions ?? []) {
    if (Array.isArray(t.dateRange)) t.dateRange = prev;
  }
  return out;
}

/**
 * The query for a type-ahead over a dimension's values: the dimension alone, rows whose value
 * contains the typed text (all rows when it is empty), sorted, at most `limit`.
 */
export function dimensionValuesQuery(member: string, search: string, limit = 50): SemanticQuery {
  const q: SemanticQuery = { dimensions: [member], order: [[member, 'asc']], limit };
  if (search.trim()) q.filters = [{ member, operator: 'contains', values: [search.trim()] }];
  return q;
}

// ---------------------------------------------------------------- reshaping answers

export type Row = Record<string, unknown>;

export interface Series {
  categories: string[];
  series: { name: string; data: (number | null)[] }[];
}

/**
 * Rows as chart series. The category axis is `x` (a time or dimension column); with `split`
 * (a second dimension) there is one series per value of it for the first measure, else one
 * series per measure. Missing combinations are null, categories keep the answer's order.
 */
export function toSeries(rows: Row[], x: string | null, measures: string[], split: string | null, names: Record<string, string> = {}): Series {
  const categories: string[] = [];
  const catIndex = new Map<string, number>();
  const key = (r: Row) => (x ? String(r[x] ?? '∅') : '');
  for (const r of rows) {
    const k = key(r);
    if (!catIndex.has(k)) {
      catIndex.set(k, categories.length);
      categories.push(k);
    }
  }
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  if (split && measures.length) {
    const m = measures[0];
    const bySeries = new Map<string, (number | null)[]>();
    for (const r of rows) {
      const s = String(r[split] ?? '∅');
      if (!bySeries.has(s)) bySeries.set(s, categories.map(() => null));
      bySeries.get(s)![catIndex.get(key(r))!] = num(r[m]);
    }
    return { categories, series: [...bySeries.entries()].map(([name, data]) => ({ name, data })) };
  }
  return {
    categories,
    series: measures.map((m) => {
      const data: (number | null)[] = categories.map(() => null);
      for (const r of rows) data[catIndex.get(key(r))!] = num(r[m]);
      return { name: names[m] ?? m, data };
    }),
  };
}

export interface Pivot {
  /** the distinct combinations of the column dimensions, in first-seen order */
  columnKeys: string[][];
  /** one entry per distinct combination of the row dimensions */
  rows: { key: string[]; cells: Record<string, number | null>; total: Record<string, number> }[];
  /** id of a cell's column: column key values and the measure, joined */
  cellId: (colKey: string[], measure: string) => string;
}

const SEP = '\u241f';

/**
 * A pivot table: one row per combination of `rowDims`, one column per combination of
 * `colDims` and measure, cells summed when several answer rows fall into one (they do not when
 * the query grouped by exactly these dimensions), and a total per measure for each row.
 */
export function pivot(data: Row[], rowDims: string[], colDims: string[], measures: string[]): Pivot {
  const cellId = (colKey: string[], measure: string) => [...colKey, measure].join(SEP);
  const colSeen = new Map<string, string[]>();
  const rowMap = new Map<string, Pivot['rows'][number]>();
  for (const r of data) {
    const rk = rowDims.map((d) => String(r[d] ?? '∅'));
    const ck = colDims.map((d) => String(r[d] ?? '∅'));
    const ckId = ck.join(SEP);
    if (!colSeen.has(ckId)) colSeen.set(ckId, ck);
    const rkId = rk.join(SEP);
    let row = rowMap.get(rkId);
    if (!row) {
      row = { key: rk, cells: {}, total: {} };
      rowMap.set(rkId, row);
    }
    for (const m of measures) {
      const v = r[m] === null || r[m] === undefined ? null : Number(r[m]);
      const id = cellId(ck, m);
      if (v !== null) {
        row.cells[id] = (row.cells[id] ?? 0) + v;
        row.total[m] = (row.total[m] ?? 0) + v;
      } else if (!(id in row.cells)) {
        row.cells[id] = null;
      }
    }
  }
  const columnKeys = [...colSeen.values()].sort((a, b) => a.join(SEP).localeCompare(b.join(SEP)));
  const rows = [...rowMap.values()].sort((a, b) => a.key.join(SEP).localeCompare(b.key.join(SEP)));
  return { columnKeys, rows, cellId };
}

/** The answer column of a time dimension with a granularity: `orders.ordered_at.month`. */
export function timeColumn(t: TimeDimension): string | null {
  return t.granularity ? `${t.dimension}.${t.granularity}` : null;
}
