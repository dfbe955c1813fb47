// What a dashboard chart's menu does besides drawing: downloads (CSV through an export job,
// PNG from the chart's canvas) and what a refresh of the whole dashboard did.

import type { Job } from '../api';
import type { CacheInfo, SemanticQuery } from './types';

/** A file name from a chart title: letters, digits, spaces, dots, dashes and underscores kept. */
export function fileName(title: string, ext: string): string {
  const base = title.normalize('NFKD').replace(/[^\w .-]+/g, '').replace(/\s+/g, ' ').replace(/^[\s.]+/, '').trim().slice(0, 80) || 'chart';
  return `${base}.${ext}`;
}

/** Saves a blob or data URL as a file download. */
export function save(data: Blob | string, name: string): void {
  const url = typeof data === 'string' ? data : URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (typeof data !== 'string') setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The server calls an export needs (the real ones in `api.ts`). */
export interface ExportTransport {
  submit: (job: Record<string, unknown>) => Promise<Job>;
  job: (id: string) => Promise<Job>;
  file: (job: Job) => Promise<Blob>;
  cancel: (id: string) => Promise<unknown>;
}

/**
 * A chart's whole result as CSV, through an export job (any size: not held to the JSON
 * answer's row cap). Reports the job's rows as it runs; cancels the job when `signal` aborts.
 */
export async function exportCsv(t: ExportTransport, query: SemanticQuery, o: {
  signal?: AbortSignal; onProgress?: (job: Job) => void; pollMs?: number; sleep?: (ms: number) => Promise<void>;
} = {}): Promise<Blob> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let job = await t.submit({ kind: 'export', query });
  for (;;) {
    o.onProgress?.(job);
    if (job.state === 'succeeded') return t.file(job);
    if (job.state === 'failed' || job.state === 'cancelled') {
      throw new Error(`the export ${job.state}${job.error?.message ? `: ${job.error.message}` : ''}`);
    }
    if (o.signal?.aborted) {
      t.cancel(job.id).catch(() => undefined);
      throw new DOMException('the export was cancelled', 'AbortError');
    }
    await sleep(o.pollMs ?? 500);
    job = await t.job(job.id);
  }
}

/** How one chart's refresh ended. */
export interface RefreshOutcome {
  cache?: CacheInfo;
  rollup?: string | null;
  error?: boolean;
  cancelled?: boolean;
}

/** What a refresh of the dashboard did, for a person: "9 charts refreshed, 3 from the warehouse". */
export function describeRefresh(outcomes: RefreshOutcome[]): string {
  const done = outcomes.filter((o) => !o.error && !o.cancelled);
  const rollup = done.filter((o) => o.rollup && (!o.cache || o.cache.tier === 'miss' || o.cache.tier === 'bypass')).length;
  const cached = done.filter((o) => o.cache && (o.cache.tier === 'l1' || o.cache.tier === 'l2')).length;
  const warehouse = done.length - rollup - cached;
  const failed = outcomes.filter((o) => o.error).length;
  const cancelled = outcomes.filter((o) => o.cancelled).length;
  const n = done.length;
  const parts = [`${n} chart${n === 1 ? '' : 's'} refreshed`];
  const how = [
    warehouse > 0 && `${warehouse} from the warehouse`,
    rollup > 0 && `${rollup} from rollups`,
    cached > 0 && `${cached} from the cache`,
  ].filter(Boolean) as string[];
  if (how.length) parts.push(how.join(', '));
  if (failed) parts.push(`${failed} failed`);
  if (cancelled) parts.push(`${cancelled} cancelled`);
  return parts.join(', ');
}
