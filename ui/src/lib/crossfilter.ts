// Cross-filtering and drill-down on a dashboard (issue 21, item 3).
//
// A click on a bar, slice, point or table row picks the values under it (ChartView's onSelect);
// the picks of one chart filter every OTHER chart of the dashboard (a dimension value as an
// `equals` filter, a time bucket as the date range of that bucket), one selection per chart,
// clicking the same thing again removes it. A drill changes one chart only: a time bucket to the
// next finer grain inside that bucket, or a dimension value to the next dimension with the value
// as a filter. The pure functions here are what the tests check; useCrossFilter holds the state.

import { createContext, useCallback, useMemo, useState } from 'react';
import type { Filter, Meta, MemberMeta, Order, SemanticQuery } from './types';
import { membersOf } from './editor';

/** One value under a click: the member (a dimension, or a time dimension with its grain) and its raw value. */
export interface Pick {
  member: string;
  value: string;
  /** as shown on the chart */
  label: string;
  /** set for a time dimension's bucket */
  granularity?: string;
}

/** The picks of one chart that filter the other charts. */
export interface CrossFilter {
  chartId: number;
  chartTitle: string;
  picks: Pick[];
}

export type DrillStep =
  | { kind: 'time'; dimension: string; from: string; to: string; range: [string, string]; label: string }
  | { kind: 'dimension'; member: string; value: string; label: string; next: string };

/** What ChartView reports: a left click filters, `menu` asks for the drill menu at a screen position. */
export type SelectHandler = (picks: Pick[], how: 'click' | 'menu', at?: { x: number; y: number }) => void;

/** Given by the dashboard around each chart (ChartView reads it when it has no onSelect of its own). */
export const ChartSelect = createContext<SelectHandler | null>(null);

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

const FINER: Record<string, string> = { year: 'quarter', quarter: 'month', month: 'day', week: 'day' };

/** The grain a drill goes to from `g` (null at the finest grain). */
export function finerGrain(g: string | undefined | null): string | null {
  return g ? FINER[g] ?? null : null;
}

function pad(n: number) {
  return String(n).padStart(2, '0');
}

/** The first and last day (inclusive, YYYY-MM-DD) of the bucket a timestamp starts at the given grain. */
export function bucketRange(value: string, granularity: string): [string, string] {
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(value);
  if (!m) throw new Error(`not a timestamp: ${value}`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  const d = Number(m[3]);
  const iso = (t: Date) => `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  switch (granularity) {
    case 'year':
      return [`${y}-01-01`, `${y}-12-31`];
    case 'quarter': {
      const q0 = Math.floor(mo / 3) * 3;
      return [iso(new Date(Date.UTC(y, q0, 1))), iso(new Date(Date.UTC(y, q0 + 3, 0)))];
    }
    case 'month':
      return [iso(new Date(Date.UTC(y, mo, 1))), iso(new Date(Date.UTC(y, mo + 1, 0)))];
    case 'week':
      return [iso(new Date(Date.UTC(y, mo, d))), iso(new Date(Date.UTC(y, mo, d + 6)))];
    default:
      return [iso(new Date(Date.UTC(y, mo, d))), iso(new Date(Date.UTC(y, mo, d)))];
  }
}

/**
 * Clicking `picks` on a chart: the same picks again clear that chart's selection, other picks
 * replace it (one selection per chart), no picks leave the state as it is.
 */
export function toggle(state: CrossFilter[], chartId: number, chartTitle: string, picks: Pick[]): CrossFilter[] {
  if (!picks.length) return state;
  const key = (ps: Pick[]) => JSON.stringify(ps.map((p) => [p.member, p.value, p.granularity ?? null]));
  const mine = state.find((f) => f.chartId === chartId);
  const rest = state.filter((f) => f.chartId !== chartId);
  if (mine && key(mine.picks) === key(picks)) return rest;
  return [...rest, { chartId, chartTitle, picks }];
}

/** The members a query reads (to know which model it is on). */
function membersIn(q: SemanticQuery): string[] {
  return [...(q.measures ?? []), ...(q.dimensions ?? []), ...(q.timeDimensions ?? []).map((t) => t.dimension)];
}

/**
 * Whether `member` can filter a query: true when the catalog is unknown, else when the member is
 * one the query's model or view can reach (a view's columns, or the members of the models joined).
 */
export function reachable(q: SemanticQuery, member: string, meta: Meta | null): boolean {
  if (!meta) return true;
  const first = membersIn(q)[0];
  if (!first) return false;
  const prefix = first.split('.')[0];
  const source = meta.views.some((v) => v.name === prefix) ? `view:${prefix}` : `model:${prefix}`;
  return membersOf(source, meta).some((m) => m.name === member);
}

/**
 * The query of chart `chartId` with the cross-filters of the other charts: a dimension pick
 * adds an `equals` filter (so it narrows, with the dashboard's own filters), a time pick puts
 * the bucket's date range on that time dimension (added as a filtering time dimension when the
 * chart has none on it). Picks the chart's model cannot reach are left out.
 */
export function applyCrossFilters(query: SemanticQuery, state: CrossFilter[], chartId: number | undefined, meta: Meta | null = null): SemanticQuery {
  const others = state.filter((f) => f.chartId !== chartId);
  if (!others.length) return query;
  const q = clone(query);
  for (const f of others) {
    for (const p of f.picks) {
      if (!reachable(q, p.member, meta)) continue;
      if (p.granularity) {
        const range = bucketRange(p.value, p.granularity);
        const tds = q.timeDimensions ?? [];
        const mine = tds.filter((t) => t.dimension === p.member);
        if (mine.length) mine.forEach((t) => { t.dateRange = range; });
        else tds.push({ dimension: p.member, dateRange: range });
        q.timeDimensions = tds;
      } else {
        const filters: Filter[] = q.filters ?? [];
        filters.push({ member: p.member, operator: 'equals', values: [p.value] });
        q.filters = filters;
      }
    }
  }
  return q;
}

function renameOrder(order: SemanticQuery['order'], from: string, to: string | null): SemanticQuery['order'] {
  if (!order) return order;
  const entries: [string, 'asc' | 'desc'][] = Array.isArray(order) ? order : Object.entries(order);
  const out = entries.filter(([m]) => m !== from || to !== null).map(([m, d]) => [m === from ? to! : m, d]) as Order;
  return out.length ? out : undefined;
}

/** The chart's query after its drill steps, in order. */
export function applyDrills(query: SemanticQuery, steps: DrillStep[]): SemanticQuery {
  if (!steps.length) return query;
  const q = clone(query);
  for (const s of steps) {
    if (s.kind === 'time') {
      for (const t of q.timeDimensions ?? []) {
        if (t.dimension !== s.dimension || !t.granularity) continue;
        const old = t.granularity;
        t.granularity = s.to;
        t.dateRange = s.range;
        q.order = renameOrder(q.order, `${s.dimension}.${old}`, `${s.dimension}.${s.to}`);
      }
    } else {
      const dims = (q.dimensions ?? []).filter((d) => d !== s.member);
      if (!dims.includes(s.next)) dims.splice(Math.max(0, (q.dimensions ?? []).indexOf(s.member)), 0, s.next);
      q.dimensions = dims;
      q.filters = [...(q.filters ?? []).filter((f) => !(f.member === s.member && f.operator === 'equals')), { member: s.member, operator: 'equals', values: [s.value] }];
      q.order = renameOrder(q.order, s.member, null);
    }
  }
  return q;
}

/**
 * Where a dimension value can be drilled to: dimensions the query does not group by yet, those
 * the dashboard filters on first, then the picked member's own model's in catalog order, then
 * the rest its query reaches; never time dimensions or primary keys.
 */
export function nextDimensions(query: SemanticQuery, member: string, meta: Meta | null, preferred: string[] = []): MemberMeta[] {
  if (!meta) return [];
  const first = membersIn(query)[0] ?? member;
  const prefix = first.split('.')[0];
  const source = meta.views.some((v) => v.name === prefix) ? `view:${prefix}` : `model:${prefix}`;
  const all = membersOf(source, meta).filter((m) => m.kind === 'dimension' && m.type !== 'time' && !m.primaryKey);
  const used = new Set([...(query.dimensions ?? []), member, ...(query.filters ?? []).filter((f) => f.operator === 'equals').map((f) => f.member)]);
  const model = member.split('.')[0];
  const rank = (m: MemberMeta) => {
    const p = preferred.indexOf(m.name);
    if (p >= 0) return p;
    return m.name.startsWith(model + '.') ? 1000 : 2000;
  };
  return all.filter((m) => !used.has(m.name)).map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}

/**
 * The underlying rows of a pick, a page at a time: the dimensions of the model of the chart's
 * first measure (or of the picked member), the picked values and the chart's filters and date
 * range, ordered by its first dimension so pages do not overlap.
 */
export function underlyingRowsQuery(query: SemanticQuery, picks: Pick[], meta: Meta | null, page: number, pageSize = 50): SemanticQuery {
  const anchor = query.measures?.[0] ?? picks[0]?.member ?? membersIn(query)[0];
  const model = anchor?.split('.')[0];
  const own = meta?.models.find((m) => m.name === model)?.dimensions.filter((d) => d.type !== 'time').map((d) => d.name) ?? [];
  const dims = [...own];
  for (const p of picks) if (!p.granularity && !dims.includes(p.member)) dims.push(p.member);
  for (const d of query.dimensions ?? []) if (!dims.includes(d)) dims.push(d);
  const q: SemanticQuery = { dimensions: dims };
  const tds = (query.timeDimensions ?? []).map((t) => ({ dimension: t.dimension, dateRange: t.dateRange }));
  const filters: Filter[] = [...(query.filters ?? [])];
  for (const p of picks) {
    if (p.granularity) {
      const range = bucketRange(p.value, p.granularity);
      const mine = tds.filter((t) => t.dimension === p.member);
      if (mine.length) mine.forEach((t) => { t.dateRange = range; });
      else tds.push({ dimension: p.member, dateRange: range });
    } else {
      filters.push({ member: p.member, operator: 'equals', values: [p.value] });
    }
  }
  const ranged = tds.filter((t) => t.dateRange);
  if (ranged.length) q.timeDimensions = ranged;
  if (filters.length) q.filters = filters;
  if (dims.length) q.order = [[dims[0], 'asc']];
  q.limit = pageSize;
  if (page > 0) q.offset = page * pageSize;
  return q;
}

export interface CrossFilterApi {
  filters: CrossFilter[];
  drills: Record<number, DrillStep[]>;
  /** the chart's query (dashboard filters already applied) with the cross-filters and its drills */
  query: (chartId: number | undefined, q: SemanticQuery) => SemanticQuery;
  select: (chartId: number, chartTitle: string, picks: Pick[]) => void;
  remove: (chartId: number, index?: number) => void;
  clear: () => void;
  drill: (chartId: number, step: DrillStep) => void;
  /** drops the chart's drill steps from `index` on (0: back to the chart as saved) */
  undrill: (chartId: number, index: number) => void;
  /** the drill menu a right click opened, and the pick whose underlying rows are shown */
  menu: { chartId: number; picks: Pick[]; x: number; y: number } | null;
  rows: { chartId: number; picks: Pick[] } | null;
  closeMenu: () => void;
  showRows: (r: { chartId: number; picks: Pick[] } | null) => void;
  /** what a chart's ChartView calls: a click cross-filters, a right click opens the drill menu */
  handler: (chartId: number, chartTitle: string) => SelectHandler;
}

/** The cross-filter and drill state of one dashboard. */
export function useCrossFilter(meta: Meta | null): CrossFilterApi {
  const [filters, setFilters] = useState<CrossFilter[]>([]);
  const [drills, setDrills] = useState<Record<number, DrillStep[]>>({});
  const select = useCallback((chartId: number, chartTitle: string, picks: Pick[]) => setFilters((s) => toggle(s, chartId, chartTitle, picks)), []);
  const remove = useCallback((chartId: number, index?: number) => setFilters((s) => s.flatMap((f) => {
    if (f.chartId !== chartId) return [f];
    if (index === undefined) return [];
    const picks = f.picks.filter((_, i) => i !== index);
    return picks.length ? [{ ...f, picks }] : [];
  })), []);
  const clear = useCallback(() => { setFilters([]); setDrills({}); }, []);
  const drill = useCallback((chartId: number, step: DrillStep) => setDrills((d) => ({ ...d, [chartId]: [...(d[chartId] ?? []), step] })), []);
  const undrill = useCallback((chartId: number, index: number) => setDrills((d) => ({ ...d, [chartId]: (d[chartId] ?? []).slice(0, index) })), []);
  const query = useCallback((chartId: number | undefined, q: SemanticQuery) =>
    applyDrills(applyCrossFilters(q, filters, chartId, meta), chartId !== undefined ? drills[chartId] ?? [] : []), [filters, drills, meta]);
  const [menu, setMenu] = useState<CrossFilterApi['menu']>(null);
  const [rows, showRows] = useState<CrossFilterApi['rows']>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const handler = useCallback((chartId: number, chartTitle: string): SelectHandler => (picks, how, at) => {
    if (!picks.length) return;
    // opened once the right click's own events are over (the menu would take them as a click outside it)
    if (how === 'menu') window.setTimeout(() => setMenu({ chartId, picks, x: at?.x ?? 0, y: at?.y ?? 0 }), 0);
    else select(chartId, chartTitle, picks);
  }, [select]);
  return useMemo(() => ({ filters, drills, query, select, remove, clear, drill, undrill, menu, rows, closeMenu, showRows, handler }),
    [filters, drills, query, select, remove, clear, drill, undrill, menu, rows, closeMenu, handler]);
}
