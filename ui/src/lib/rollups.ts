/** Rollup status as `GET /api/v1/rollups/{model}` answers it, and how the UI shows it. */
export interface PartitionStatus {
  key: string; start: string | null; end: string | null; rows: number; bytes: number;
  builtAt: string | null; buildMillis: number;
}

export type RollupState = 'not_built' | 'built' | 'outdated' | 'failed';

/** One server's copy of a `local` rollup (each server builds and serves its own). */
export interface CopyStatus {
  location: string; here: boolean; state: RollupState; version: number | null; rows: number;
  builtAt: string | null; lastError: string | null; lastErrorAt: string | null;
}

export interface RollupStatus {
  model: string; rollup: string; store: 'local' | 'source'; location: string | null;
  state: RollupState; version: number | null; relation: string | null;
  rows: number; bytes: number; builtAt: string | null; buildMillis: number; builds: number; failures: number;
  lastError: string | null; lastErrorAt: string | null; lastJobId: string | null; partitions: PartitionStatus[];
  /** `local` rollups: every server's copy; empty (or absent, from older servers) for `source`. */
  copies?: CopyStatus[];
}

/** A state's label and antd tag colour. */
export function rollupState(s: { state: RollupState; lastError: string | null }): { label: string; color: string } {
  switch (s.state) {
    case 'built': return s.lastError ? { label: 'built · last refresh failed', color: 'orange' } : { label: 'built', color: 'green' };
    case 'outdated': return { label: 'outdated · source answers', color: 'gold' };
    case 'failed': return { label: 'build failed', color: 'red' };
    default: return { label: 'not built', color: 'default' };
  }
}

/** Bytes in the largest unit that keeps a number of at least 1 (1 decimal above bytes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Milliseconds as a build duration: `850 ms`, `12.3 s`, `4 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The span the served partitions cover: `2024-01 … 2024-12 (12 partitions)`, or `all data`. */
export function partitionSummary(parts: PartitionStatus[]): string {
  if (parts.length === 0) return 'none';
  if (parts.length === 1 && parts[0].key === 'all') return 'all data (1 partition)';
  const first = parts[0].key;
  const last = parts[parts.length - 1].key;
  const n = `${parts.length} partition${parts.length === 1 ? '' : 's'}`;
  return first === last ? `${first} (${n})` : `${first} … ${last} (${n})`;
}

/** One server's copy as the model page lists it. */
export interface CopyView {
  key: string; server: string; here: boolean; label: string; color: string; detail: string; error: string | null;
}

/**
 * The copies of a `local` rollup, this server's first, then by server: which server
 * (`host:data dir`, without the `local@` of the store id), its state, version and rows, its last error.
 */
export function rollupCopies(s: RollupStatus): CopyView[] {
  return [...(s.copies ?? [])]
    .sort((a, b) => Number(b.here) - Number(a.here) || a.location.localeCompare(b.location))
    .map((c) => {
      const st = rollupState(c);
      return {
        key: c.location,
        server: c.location.replace(/^local@/, ''),
        here: c.here,
        label: st.label,
        color: st.color,
        detail: c.version != null ? `v${c.version} · ${c.rows.toLocaleString('en-US')} rows` : '',
        error: c.lastError,
      };
    });
}
