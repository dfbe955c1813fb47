import { describe, expect, it } from 'vitest';
import { assignColours, PALETTE } from './colours';

describe('assignColours', () => {
  it('keeps each series its colour when a filter removes or reorders series', () => {
    const memory = new Map<string, string>();
    const first = assignColours(['East', 'North', 'West'], memory);
    expect(first).toEqual(PALETTE.slice(0, 3));
    // a filter leaves West alone: still West's colour, not the first one
    expect(assignColours(['West'], memory)).toEqual([first[2]]);
    // reordered
    expect(assignColours(['West', 'East'], memory)).toEqual([first[2], first[0]]);
    // a new series takes a colour none of the shown ones holds
    const next = assignColours(['South', 'West'], memory);
    expect(next[1]).toBe(first[2]);
    expect(next[0]).not.toBe(first[2]);
  });

  it('cycles the palette when there are more series than colours', () => {
    const names = Array.from({ length: PALETTE.length + 2 }, (_, i) => `s${i}`);
    const c = assignColours(names, new Map());
    expect(new Set(c.slice(0, PALETTE.length)).size).toBe(PALETTE.length);
    expect(c.slice(PALETTE.length)).toEqual(PALETTE.slice(0, 2));
  });
});
