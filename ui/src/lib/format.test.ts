import { describe, expect, it } from 'vitest';
import { change, formatAge, formatChange, formatTime, formatValue } from './format';
import { diffLines } from './diff';

describe('formatValue', () => {
  it('formats currency, with compact notation when short', () => {
    expect(formatValue(234.5, 'currency')).toBe('$234.50');
    expect(formatValue('1234.5', 'currency')).toBe('$1,235');
    expect(formatValue(2_345_678, 'currency', { short: true })).toBe('$2.3M');
    expect(formatValue(-12, 'currency')).toBe('-$12.00');
  });

  it('formats a percent format as a percentage of a fraction', () => {
    expect(formatValue(0.1234, 'percent')).toBe('12.3%');
    expect(formatValue(1, 'percent')).toBe('100.0%');
  });

  it('groups plain numbers and keeps at most two decimals', () => {
    expect(formatValue(1234567)).toBe('1,234,567');
    expect(formatValue(3.14159)).toBe('3.14');
    expect(formatValue(45_000, null, { short: true })).toBe('45K');
  });

  it('shows null as ∅, text as is, times at their grain', () => {
    expect(formatValue(null, 'currency')).toBe('∅');
    expect(formatValue('West')).toBe('West');
    expect(formatValue('2024-03-01T00:00:00.000', null, { granularity: 'month' })).toBe('Mar 2024');
    expect(formatTime('2024-08-01T00:00:00', 'quarter')).toBe('Q3 2024');
    expect(formatTime('2024-08-05T00:00:00')).toBe('2024-08-05');
    expect(formatTime('2024-08-05T13:45:00')).toBe('2024-08-05 13:45');
  });
});

describe('comparison and age', () => {
  it('computes the change to the previous period', () => {
    expect(change(110, 100)).toBeCloseTo(0.1);
    expect(change(90, 100)).toBeCloseTo(-0.1);
    expect(change(5, 0)).toBeNull();
    expect(change(null, 3)).toBeNull();
    expect(formatChange(0.1234)).toBe('+12.3%');
    expect(formatChange(-0.05)).toBe('−5.0%');
  });

  it('says how old a cached answer is', () => {
    expect(formatAge(300)).toBe('just now');
    expect(formatAge(42_000)).toBe('42 s');
    expect(formatAge(5 * 60_000)).toBe('5 min');
    expect(formatAge(3 * 3_600_000)).toBe('3 h');
    expect(formatAge(72 * 3_600_000)).toBe('3 d');
  });
});

describe('diffLines', () => {
  it('marks removed and added lines with their numbers', () => {
    const d = diffLines('a\nb\nc', 'a\nB\nc\nd');
    expect(d).toEqual([
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'removed', text: 'b', oldLine: 2 },
      { kind: 'added', text: 'B', newLine: 2 },
      { kind: 'same', text: 'c', oldLine: 3, newLine: 3 },
      { kind: 'added', text: 'd', newLine: 4 },
    ]);
  });

  it('finds nothing to change in equal texts', () => {
    expect(diffLines('x\ny', 'x\ny').every((l) => l.kind === 'same')).toBe(true);
  });
});

describe('plural and column widths', () => {
  it('says 1 row, not 1 rows', async () => {
    const { plural } = await import('./format');
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'row')).toBe('0 rows');
    expect(plural(12345, 'row')).toBe('12,345 rows');
  });
  it('gives a column room for its longest number, so it is not cut', async () => {
    const { columnWidth } = await import('./format');
    const narrow = columnWidth('Total', ['$9']);
    const wide = columnWidth('Total', ['$1,059,123', '$9']);
    expect(wide).toBeGreaterThan(narrow);
    // ~7.6 px a character plus padding: "$1,059,123" (10 characters) needs more than 10 × 7 px
    expect(wide).toBeGreaterThanOrEqual(10 * 7.6 + 30);
    expect(columnWidth('A very long header for a column', [])).toBeGreaterThan(columnWidth('A', []));
    expect(columnWidth('x', ['y'.repeat(500)])).toBe(420);
  });
});
