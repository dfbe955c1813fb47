// Series colours that stay with their series: a chart remembers which colour each series (or
// pie slice) got, so a filter that removes some series, or reorders them, leaves the others'
// colours as they were. New names take the first colour no current name holds.

export const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4b5563'];

/**
 * The colour of each of `names`, given the colours already given (`memory`, updated in place):
 * a name keeps the colour it had; a new one gets the first palette colour that none of `names`
 * holds, and when all are held (more names than colours), the palette in turn.
 */
export function assignColours(names: string[], memory: Map<string, string>, palette: string[] = PALETTE): string[] {
  const held = new Set(names.filter((n) => memory.has(n)).map((n) => memory.get(n)!));
  let spill = 0;
  return names.map((n) => {
    const known = memory.get(n);
    if (known) return known;
    const free = palette.find((c) => !held.has(c));
    const c = free ?? palette[spill++ % palette.length];
    held.add(c);
    memory.set(n, c);
    return c;
  });
}
