// The dashboards list: search, favourites only, sort (favourites first).

import type { Dashboard } from './types';

export type DashboardSort = 'name' | 'modified';

export interface ListView {
  search: string;
  favouritesOnly: boolean;
  sort: DashboardSort;
}

/**
 * The dashboards to show: those whose name, description or owner contains every word of the
 * search (any case), only favourites when asked, favourites first, then by name or by last
 * modified (newest first).
 */
export function visibleDashboards(list: Dashboard[], view: ListView): Dashboard[] {
  const words = view.search.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = list.filter((d) => {
    if (view.favouritesOnly && !d.favourite) return false;
    const text = `${d.name} ${d.description ?? ''} ${d.owner ?? ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const by = view.sort === 'modified'
    ? (a: Dashboard, b: Dashboard) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt)
    : (a: Dashboard, b: Dashboard) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });
  return [...hits].sort((a, b) => Number(!!b.favourite) - Number(!!a.favourite) || by(a, b) || a.id - b.id);
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date. */
export function modifiedAgo(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 30) return `${d} days ago`;
  return new Date(t).toISOString().slice(0, 10);
}
