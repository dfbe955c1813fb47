// The time grain a chart builder starts with when a time dimension is picked.

import type { Granularity } from './types';

/**
 * A grain that gives a readable number of points for a date range (both ends inclusive): up to
 * about a month by day, half a year by week, three years by month, ten by quarter, more by year.
 * Without a range (all of the data): month.
 */
export function defaultGrain(range: [string, string] | null | undefined): Granularity {
  if (!range) return 'month';
  const from = Date.parse(range[0].slice(0, 10) + 'T00:00:00Z');
  const to = Date.parse(range[1].slice(0, 10) + 'T00:00:00Z');
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return 'month';
  const days = Math.round((to - from) / 86400000) + 1;
  if (days <= 31) return 'day';
  if (days <= 183) return 'week';
  if (days <= 1096) return 'month';
  if (days <= 3653) return 'quarter';
  return 'year';
}
