import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, partitionSummary, rollupCopies, rollupState, type CopyStatus, type RollupStatus } from './rollups';

const status = (over: Partial<RollupStatus>): RollupStatus => ({
  model: 'orders', rollup: 'daily', store: 'local', location: null, state: 'not_built', version: null,
  relation: null, rows: 0, bytes: 0, builtAt: null, buildMillis: 0, builds: 0, failures: 0,
  lastError: null, lastErrorAt: null, lastJobId: null, partitions: [], ...over,
});

describe('rollup status', () => {
  it('names each state, and a served version whose last refresh failed', () => {
    expect(rollupState(status({ state: 'built' }))).toEqual({ label: 'built', color: 'green' });
    expect(rollupState(status({ state: 'built', lastError: 'warehouse down' })).color).toBe('orange');
    expect(rollupState(status({ state: 'failed', lastError: 'x' })).label).toBe('build failed');
    expect(rollupState(status({ state: 'outdated' })).label).toContain('source answers');
    expect(rollupState(status({})).label).toBe('not built');
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 5 s');
  });

  it('summarises partitions by their first and last key', () => {
    const p = (key: string) => ({ key, start: null, end: null, rows: 1, bytes: 1, builtAt: null, buildMillis: 1 });
    expect(partitionSummary([])).toBe('none');
    expect(partitionSummary([p('all')])).toBe('all data (1 partition)');
    expect(partitionSummary([p('2024-01'), p('2024-02'), p('2024-03')])).toBe('2024-01 … 2024-03 (3 partitions)');
  });

  it("lists each server's copy of a local rollup, this server's first", () => {
    const copy = (over: Partial<CopyStatus>): CopyStatus => ({
      location: 'local@b:/data', here: false, state: 'built', version: 2, rows: 1234, builtAt: null,
      lastError: null, lastErrorAt: null, ...over,
    });
    const copies = rollupCopies(status({ copies: [
      copy({ location: 'local@c:/srv/strata/rollups.duckdb', state: 'failed', version: null, rows: 0, lastError: 'disk full' }),
      copy({ location: 'local@a:/data/rollups.duckdb', here: true, version: 3, rows: 65335 }),
      copy({ location: 'local@b:/data/rollups.duckdb', lastError: 'source down' }),
    ] }));
    expect(copies.map((c) => c.server)).toEqual(['a:/data/rollups.duckdb', 'b:/data/rollups.duckdb', 'c:/srv/strata/rollups.duckdb']);
    expect(copies[0]).toMatchObject({ here: true, label: 'built', color: 'green', detail: 'v3 · 65,335 rows', error: null });
    expect(copies[1]).toMatchObject({ here: false, label: 'built · last refresh failed', color: 'orange', error: 'source down' });
    expect(copies[2]).toMatchObject({ label: 'build failed', color: 'red', detail: '', error: 'disk full' });
    expect(rollupCopies(status({ store: 'source', copies: [] }))).toEqual([]);
    expect(rollupCopies(status({}))).toEqual([]);
  });
});
