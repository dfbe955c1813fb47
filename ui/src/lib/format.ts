// Number and date formatting from a member's `format` (currency, percent) and type.

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * A value as a person reads it: `currency` as dollars (cents below $1,000), `percent` as a percentage of a fraction
 * (0.125 → 12.5%), other numbers grouped with up to two decimals, timestamps as dates.
 * `short` uses compact notation (1.2M) for big numbers on axes and big-number tiles.
 */
export function formatValue(v: unknown, format?: string | null, opts: { short?: boolean; type?: string; granularity?: string } = {}): string {
  if (v === null || v === undefined) return '∅';
  if (opts.type === 'time' || opts.granularity) return formatTime(String(v), opts.granularity);
  const n = toNumber(v);
  if (n === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'string' && opts.type === 'string') return v;
  switch (format) {
    case 'currency':
      if (opts.short && Math.abs(n) >= 10000) return '$' + compact.format(n);
      // cents only where they matter: below a thousand
      return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: Math.abs(n) >= 1000 ? 0 : 2, maximumFractionDigits: Math.abs(n) >= 1000 ? 0 : 2 });
    case 'percent':
      return (n * 100).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 }) + '%';
    default:
      if (opts.short && Math.abs(n) >= 10000) return compact.format(n);
      return n.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(n) ? 0 : 2 });
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A timestamp (2024-03-01T00:00:00.000) at a granularity: "Mar 2024", "Q1 2024", "2024-03-05". */
export function formatTime(s: string, granularity?: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d))?/.exec(s);
  if (!m) return s;
  const [, y, mo, d, hh, mm] = m;
  switch (granularity) {
    case 'year':
      return y;
    case 'quarter':
      return `Q${Math.floor((Number(mo) - 1) / 3) + 1} ${y}`;
    case 'month':
      return `${MONTHS[Number(mo) - 1]} ${y}`;
    case 'week':
    case 'day':
      return `${y}-${mo}-${d}`;
    case 'hour':
    case 'minute':
      return `${y}-${mo}-${d} ${hh ?? '00'}:${mm ?? '00'}`;
    default:
      return hh && (hh !== '00' || mm !== '00') ? `${y}-${mo}-${d} ${hh}:${mm}` : `${y}-${mo}-${d}`;
  }
}

/** The change from `previous` to `current` as a fraction (0.1 = +10%); null when there is no base. */
export function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return (current - previous) / Math.abs(previous);
}

/** "+12.3%" / "−4.0%". */
export function formatChange(c: number): string {
  const pct = (Math.abs(c) * 100).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return (c >= 0 ? '+' : '−') + pct + '%';
}

/** How old a cached answer is: "just now", "42 s", "5 min", "3 h", "2 d". */
export function formatAge(ms: number): string {
  if (ms < 1000) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** "1 row", "12,345 rows": a count with its noun in the right number. */
export function plural(n: number, noun: string, nouns = noun + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`;
}

/**
 * A table column's width in pixels that shows its widest text whole (no ellipsis): the header
 * or the longest cell, at ~7.6 px a character for the grid's 13-14 px font plus the cell's
 * padding and a sort icon, between `min` and `max`.
 */
export function columnWidth(header: string, cells: string[], min = 80, max = 420): number {
  let longest = header.length + 2; // the header also holds the sort icon
  for (const c of cells) if (c.length > longest) longest = c.length;
  return Math.max(min, Math.min(max, Math.ceil(longest * 7.6) + 34));
}
