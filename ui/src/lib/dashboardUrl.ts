// A dashboard's view in its URL, so that a reload keeps it and a link reproduces it:
//   /dashboards/7?f.customers.region=West&f.customers.region=East&from=2024-01-01&to=2024-06-30&grain=week&refresh=5
// One `f.<member>` parameter per selected value (repeated, so values may hold any character),
// the date range as `from`/`to`, the time grain, and the auto-refresh interval in minutes.
// Parameters it does not own are left as they are (another feature may keep its state there).

import type { FilterState } from './query';
import { GRANULARITIES, type DashboardFilters } from './types';

/** Auto-refresh intervals offered, in minutes (0: off). */
export const REFRESH_MINUTES = [0, 1, 5, 15, 30, 60];

/** What the URL holds of a dashboard's view. */
export interface DashboardView {
  filters: FilterState;
  /** auto-refresh every this many minutes; 0 for off */
  refreshMinutes: number;
}

/** A view read from a URL, and what in the URL could not be used (said to the user). */
export interface DecodedView {
  view: DashboardView;
  /** whether the URL said anything about the filters (else the dashboard's defaults apply) */
  hasFilters: boolean;
  problems: string[];
}

const FILTER_PREFIX = 'f.';
const OWN = new Set(['from', 'to', 'grain', 'refresh']);

function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Reads the view from `params`, against the dashboard's filter bar: a value for a member the
 * bar does not offer, a date that is not a date, an unknown grain or interval is left out and
 * named in `problems`; `defaults` fills what the URL does not say.
 */
export function decodeView(params: URLSearchParams, filters: DashboardFilters | undefined, defaults: FilterState): DecodedView {
  const problems: string[] = [];
  const offered = new Set(filters?.dimensions ?? []);
  const values: Record<string, string[]> = {};
  let hasFilters = false;
  for (const [k, v] of params) {
    if (!k.startsWith(FILTER_PREFIX)) continue;
    hasFilters = true;
    const member = k.slice(FILTER_PREFIX.length);
    if (!offered.has(member)) {
      problems.push(`the link filters on ${member || '(no member)'}, which this dashboard's filter bar does not offer: ignored`);
      continue;
    }
    (values[member] ??= []).push(v);
  }
  const state: FilterState = { values: hasFilters ? values : { ...defaults.values }, dateRange: defaults.dateRange ?? null, granularity: defaults.granularity ?? null };
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null || to !== null) {
    hasFilters = true;
    if (!filters?.timeDimension) {
      problems.push('the link has a date range, but this dashboard has no time filter: ignored');
    } else if (from === null || to === null || !isDay(from) || !isDay(to)) {
      problems.push(`the link's date range from=${from ?? '(missing)'} to=${to ?? '(missing)'} is not two dates (YYYY-MM-DD): the default range is used`);
    } else if (to < from) {
      problems.push(`the link's date range ends (${to}) before it starts (${from}): the default range is used`);
    } else {
      state.dateRange = [from, to];
    }
  }
  const grain = params.get('grain');
  if (grain !== null) {
    hasFilters = true;
    if (!filters?.timeDimension) {
      problems.push('the link has a time grain, but this dashboard has no time filter: ignored');
    } else if (!(GRANULARITIES as string[]).includes(grain)) {
      problems.push(`the link's time grain "${grain}" is not one of ${GRANULARITIES.join(', ')}: ignored`);
    } else {
      state.granularity = grain;
    }
  }
  let refreshMinutes = 0;
  const refresh = params.get('refresh');
  if (refresh !== null) {
    const n = Number(refresh);
    if (!REFRESH_MINUTES.includes(n) || refresh.trim() === '') {
      problems.push(`the link's auto-refresh "${refresh}" is not one of ${REFRESH_MINUTES.filter((m) => m > 0).join(', ')} minutes: off`);
    } else {
      refreshMinutes = n;
    }
  }
  return { view: { filters: state, refreshMinutes }, hasFilters, problems };
}

/**
 * `params` with the view written in (its own parameters replaced, others kept): the whole
 * view, defaults included, so that a link shows what its sharer saw even after the
 * dashboard's defaults change.
 */
export function encodeView(params: URLSearchParams, view: DashboardView): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of params) {
    if (!k.startsWith(FILTER_PREFIX) && !OWN.has(k)) out.append(k, v);
  }
  const members = Object.keys(view.filters.values).sort();
  for (const m of members) {
    for (const v of view.filters.values[m] ?? []) out.append(FILTER_PREFIX + m, v);
  }
  if (view.filters.dateRange) {
    out.set('from', view.filters.dateRange[0]);
    out.set('to', view.filters.dateRange[1]);
  }
  if (view.filters.granularity) out.set('grain', view.filters.granularity);
  if (view.refreshMinutes > 0) out.set('refresh', String(view.refreshMinutes));
  return out;
}

/** Whether two filter states pick the same (value order aside, empty selections as none). */
export function sameFilters(a: FilterState, b: FilterState): boolean {
  const norm = (s: FilterState) => JSON.stringify({
    d: s.dateRange ?? null, g: s.granularity ?? null,
    v: Object.entries(s.values).filter(([, v]) => v && v.length).map(([k, v]) => [k, [...v].sort()]).sort(),
  });
  return norm(a) === norm(b);
}
