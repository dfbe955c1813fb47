// SQL Lab logic kept apart from the page: the history list, error positions, the open tabs
// (remembered in localStorage) and "make a chart from this result".

import type { Meta, SemanticQuery, Viz, VizType } from './types';

export interface HistoryEntry {
  queryId: string;
  sql: string;
  /** ISO text, or epoch seconds (Jackson's default for an Instant) */
  startedAt: string | number;
  totalMs: number;
  rows: number;
  cacheTier?: string | null;
  error?: string | null;
}

export interface HistoryItem extends HistoryEntry {
  /** how many times in a row this statement ran (the newest run is the one shown) */
  runs: number;
}

const CATALOG_MARK = '/* strata:sql-lab catalog */';

/** The history as listed: the SQL Lab's own catalog reads left out, repeated runs of one statement folded into one item. */
export function historyItems(entries: HistoryEntry[]): HistoryItem[] {
  const out: HistoryItem[] = [];
  for (const e of entries) {
    const sql = (e.sql ?? '').trim();
    if (!sql || sql.startsWith(CATALOG_MARK) || /^EXPLAIN\s+PLAN\s+FOR\b/i.test(sql)) continue;
    const last = out[out.length - 1];
    if (last && last.sql.trim() === sql) {
      last.runs++;
      continue;
    }
    out.push({ ...e, runs: 1 });
  }
  return out;
}

/** A time from the API, ISO text or epoch seconds (never milliseconds). */
export function toDate(t: string | number): Date {
  return new Date(typeof t === 'number' || /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : t);
}

/** A statement on one line, cut to `max` characters, for lists. */
export function oneLine(sql: string, max = 120): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export interface SqlPosition { line: number; column: number }

/** The position a SQL error names ("line 2, column 8"), from its location or else its message. */
export function errorPosition(location?: string | null, msg?: string | null): SqlPosition | null {
  for (const s of [location, msg]) {
    const m = s ? /line (\d+), column (\d+)/.exec(s) ?? /line (\d+)/.exec(s) : null;
    if (m) return { line: Number(m[1]), column: m[2] ? Number(m[2]) : 1 };
  }
  return null;
}

/** The location to print under an error's message: none when the message already says it. */
export function errorLocation(msg: string, location?: string | null): string | null {
  if (!location) return null;
  return msg.includes(location) ? null : location;
}

export interface LabTab {
  key: string;
  title: string;
  sql: string;
  /** the saved query this tab edits, if any */
  savedId?: number;
}

const TABS_KEY = 'strata.sqllab.tabs';

/** The tabs remembered in `storage`, or one tab with `fallback`; anything unreadable gives the fallback. */
export function loadTabs(storage: Pick<Storage, 'getItem'> | undefined, fallback: string): { tabs: LabTab[]; active: string } {
  const fresh = { tabs: [{ key: 't1', title: 'Query 1', sql: fallback }], active: 't1' };
  try {
    const raw = storage?.getItem(TABS_KEY);
    if (!raw) return fresh;
    const v = JSON.parse(raw) as { tabs?: unknown; active?: unknown };
    const tabs = Array.isArray(v.tabs) ? v.tabs.filter((t): t is LabTab => !!t && typeof t.key === 'string' && typeof t.title === 'string' && typeof t.sql === 'string') : [];
    if (!tabs.length) return fresh;
    const active = typeof v.active === 'string' && tabs.some((t) => t.key === v.active) ? v.active : tabs[0].key;
    return { tabs, active };
  } catch {
    return fresh;
  }
}

export function saveTabs(storage: Pick<Storage, 'setItem'> | undefined, tabs: LabTab[], active: string) {
  try {
    storage?.setItem(TABS_KEY, JSON.stringify({ tabs: tabs.map(({ key, title, sql, savedId }) => ({ key, title, sql, savedId })), active }));
  } catch {
    // storage full or off: tabs are not remembered, nothing else changes
  }
}

/** A key no tab has, and the next "Query N" title. */
export function nextTab(tabs: LabTab[]): { key: string; title: string } {
  let n = tabs.length + 1;
  while (tabs.some((t) => t.key === `t${n}` || t.title === `Query ${n}`)) n++;
  return { key: `t${n}`, title: `Query ${n}` };
}

export interface ChartPrefill {
  title: string;
  query: SemanticQuery;
  viz: Viz;
}

/**
 * The chart builder's starting point for a result of SQL over one semantic table: the table is
 * the chart's view or model, result columns that are its measures become measures and the other
 * members dimensions (time dimensions as the time dimension). Null when the statement reads no
 * semantic table or no result column is one of its members.
 */
export function chartFromResult(sql: string, columns: { name: string }[], meta: Meta | null): ChartPrefill | null {
  if (!meta) return null;
  const m = /\bfrom\s+(?:strata\.)?(?:semantic\.)?([A-Za-z_][A-Za-z0-9_]*)\b/i.exec(sql);
  if (!m) return null;
  const name = m[1].toLowerCase();
  const view = meta.views.find((v) => v.name.toLowerCase() === name);
  const model = meta.models.find((x) => x.name.toLowerCase() === name);
  const members = view
    ? view.columns.map((c) => ({ name: c.name, short: c.name.slice(view.name.length + 1), kind: c.kind, type: c.type }))
    : model ? [...model.measures, ...model.metrics, ...model.dimensions].map((c) => ({ name: c.name, short: c.shortName, kind: c.kind as string, type: c.type }))
    : [];
  if (!members.length) return null;
  const measures: string[] = [];
  const dimensions: string[] = [];
  let time: string | null = null;
  for (const c of columns) {
    const x = members.find((mm) => mm.short.toLowerCase() === c.name.toLowerCase());
    if (!x) continue;
    if (x.kind === 'measure' || x.kind === 'metric') measures.push(x.name);
    else if (x.type === 'time' && !time) time = x.name;
    else if (x.kind === 'dimension') dimensions.push(x.name);
  }
  if (!measures.length && !dimensions.length && !time) return null;
  const query: SemanticQuery = {};
  if (measures.length) query.measures = measures;
  if (dimensions.length) query.dimensions = dimensions;
  if (time) query.timeDimensions = [{ dimension: time, granularity: 'month' }];
  const type: VizType = time ? 'line' : dimensions.length && measures.length ? 'bar' : measures.length ? 'number' : 'table';
  const short = (n: string) => n.split('.').pop()!;
  const by = [...dimensions, ...(time ? [time] : [])].map(short);
  const title = measures.length ? `${measures.map(short).join(', ')}${by.length ? ` by ${by.join(', ')}` : ''}` : by.join(', ');
  return { title, query, viz: { type } };
}
