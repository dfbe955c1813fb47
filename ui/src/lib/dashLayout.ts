// Where a dashboard's charts sit on its 12-column grid, as react-grid-layout takes them, and
// what to store after the user moved or resized them. A chart stores `layout: {x, y, w, h}`
// (grid columns and 76 px rows); older charts may have none and are placed in reading order,
// two to a row, after the placed ones, as the dashboard drew them before.

import type { Chart, Layout } from './types';

export const COLUMNS = 12;
export const DEFAULT_W = 6;
export const DEFAULT_H = 4;
export const MIN_W = 2;
export const MIN_H = 2;

/** One grid item as react-grid-layout has it: `i` is the chart's id. */
export interface GridItem { i: string; x: number; y: number; w: number; h: number; minW?: number; minH?: number }

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** The grid items of `charts` (in their order): stored layouts as they are (kept within the grid), the others placed after them. */
export function gridItems(charts: Chart[]): GridItem[] {
  let bottom = 0;
  for (const c of charts) if (c.layout) bottom = Math.max(bottom, (c.layout.y ?? 0) + (c.layout.h ?? DEFAULT_H));
  let k = 0;
  return charts.map((c) => {
    const i = String(c.id);
    if (c.layout) {
      const w = clamp(c.layout.w ?? DEFAULT_W, 1, COLUMNS);
      return { i, x: clamp(c.layout.x ?? 0, 0, COLUMNS - w), y: Math.max(0, c.layout.y ?? 0), w, h: Math.max(1, c.layout.h ?? DEFAULT_H), minW: MIN_W, minH: MIN_H };
    }
    const item = { i, x: (k % 2) * DEFAULT_W, y: bottom + Math.floor(k / 2) * DEFAULT_H, w: DEFAULT_W, h: DEFAULT_H, minW: MIN_W, minH: MIN_H };
    k++;
    return item;
  });
}

/** The layout to store of a grid item. */
export function layoutOf(item: GridItem): Layout {
  return { x: item.x, y: item.y, w: item.w, h: item.h };
}

/**
 * The charts whose place changed in `items` from where they were drawn (a moved chart pushes
 * others, so several may have), each with its new layout to store.
 */
export function changedLayouts(charts: Chart[], items: GridItem[]): { chart: Chart; layout: Layout }[] {
  const before = new Map(gridItems(charts).map((g) => [g.i, g]));
  const out: { chart: Chart; layout: Layout }[] = [];
  for (const item of items) {
    const chart = charts.find((c) => String(c.id) === item.i);
    const was = before.get(item.i);
    if (!chart || !was) continue;
    if (was.x !== item.x || was.y !== item.y || was.w !== item.w || was.h !== item.h) out.push({ chart, layout: layoutOf(item) });
  }
  return out;
}

/** The charts with `items`' places, as the page keeps them after a save. */
export function withLayouts(charts: Chart[], items: GridItem[]): Chart[] {
  const at = new Map(items.map((g) => [g.i, g]));
  return charts.map((c) => {
    const g = at.get(String(c.id));
    return g ? { ...c, layout: layoutOf(g) } : c;
  });
}

/** The same items stacked one above the other in one column, in reading order (a narrow screen). */
export function stacked(items: GridItem[]): GridItem[] {
  const sorted = [...items].sort((a, b) => a.y - b.y || a.x - b.x);
  let y = 0;
  return sorted.map((g) => {
    const out = { ...g, x: 0, y, w: 1, minW: 1 };
    y += g.h;
    return out;
  });
}
