import { describe, expect, it } from 'vitest';
import { changedLayouts, gridItems, stacked, withLayouts } from './dashLayout';
import type { Chart } from './types';

const chart = (id: number, layout?: Chart['layout']): Chart => ({ id, title: `c${id}`, query: { measures: ['orders.count'] }, viz: { type: 'number' }, layout });

describe('dashboard grid layout', () => {
  it('keeps stored places and puts charts without one after them, two to a row', () => {
    const items = gridItems([chart(1, { x: 0, y: 0, w: 4, h: 3 }), chart(2), chart(3, { x: 4, y: 0, w: 8, h: 5 }), chart(4), chart(5)]);
    expect(items.map(({ i, x, y, w, h }) => ({ i, x, y, w, h }))).toEqual([
      { i: '1', x: 0, y: 0, w: 4, h: 3 },
      { i: '2', x: 0, y: 5, w: 6, h: 4 },
      { i: '3', x: 4, y: 0, w: 8, h: 5 },
      { i: '4', x: 6, y: 5, w: 6, h: 4 },
      { i: '5', x: 0, y: 9, w: 6, h: 4 },
    ]);
  });

  it('an old dashboard with no layouts at all is drawn two charts to a row', () => {
    const items = gridItems([chart(1), chart(2), chart(3)]);
    expect(items.map((g) => [g.x, g.y])).toEqual([[0, 0], [6, 0], [0, 4]]);
  });

  it('keeps a stored place within the grid', () => {
    const [g] = gridItems([chart(1, { x: 10, y: -1, w: 6, h: 0 })]);
    expect(g).toMatchObject({ x: 6, y: 0, w: 6, h: 1 });
  });

  it('reports only the charts that moved or changed size, with their new layout', () => {
    const charts = [chart(1, { x: 0, y: 0, w: 4, h: 3 }), chart(2, { x: 4, y: 0, w: 4, h: 3 }), chart(3)];
    const items = gridItems(charts);
    expect(changedLayouts(charts, items)).toEqual([]);
    const moved = items.map((g) => (g.i === '1' ? { ...g, x: 8, w: 4, h: 6 } : g.i === '3' ? { ...g, y: 6 } : g));
    const changed = changedLayouts(charts, moved);
    expect(changed.map((c) => [c.chart.id, c.layout])).toEqual([[1, { x: 8, y: 0, w: 4, h: 6 }], [3, { x: 0, y: 6, w: 6, h: 4 }]]);
    expect(withLayouts(charts, moved)[0].layout).toEqual({ x: 8, y: 0, w: 4, h: 6 });
    expect(withLayouts(charts, moved)[1].layout).toEqual({ x: 4, y: 0, w: 4, h: 3 });
  });

  it('stacks charts in reading order for a narrow screen', () => {
    const items = gridItems([chart(1, { x: 6, y: 0, w: 6, h: 2 }), chart(2, { x: 0, y: 0, w: 6, h: 3 }), chart(3, { x: 0, y: 3, w: 12, h: 4 })]);
    expect(stacked(items).map((g) => [g.i, g.x, g.y, g.w])).toEqual([['2', 0, 0, 1], ['1', 0, 3, 1], ['3', 0, 5, 1]]);
  });
});
