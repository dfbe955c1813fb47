// Slow charts run as async query jobs, so a dashboard never waits on its slowest chart.
//
// Design (the simplest that is robust): every chart first asks synchronously. A chart whose
// answer has not come within `thresholdMs` (2 s) gives up that request and submits the same
// query as a job (`async: true`), then polls the job (state, rows, elapsed time) until it ends
// and reads its result. While the abandoned request's query still runs on the server, the job
// joins it through the results cache's single-flight rather than running it twice. A query that went async once is remembered for the
// session and goes async at once the next time (a dashboard refresh, a filter change back).
// Polling rather than the job's server-sent events: one plain request a second per slow chart,
// through any proxy, cancelled with the chart. Every chart runs independently, so fast charts
// draw as soon as their own answer arrives.

import type { Job } from '../api';
import type { QueryAnswer, SemanticQuery } from './types';

/** What a chart shows while its query runs as a job. */
export interface AsyncProgress {
  jobId: string;
  state: Job['state'];
  /** rows produced so far (the job's progress) */
  rows: number;
  /** since the chart asked */
  elapsedMs: number;
}

/** The server calls the runner needs (the real ones in `api.ts`). */
export interface Transport {
  /**
   * The synchronous query, run at the server under `queryId` (so that it can be cancelled
   * without its answer); rejects with an AbortError when `signal` aborts.
   */
  query: (query: SemanticQuery, cache: string | undefined, signal: AbortSignal, queryId: string) => Promise<QueryAnswer>;
  /** Cancels the synchronous query `queryId` at the warehouse (it may have ended: not an error). */
  cancelQuery: (queryId: string) => Promise<unknown>;
  /** Submits the query as a job: 202 with the job. */
  submit: (query: SemanticQuery, cache: string | undefined) => Promise<Job>;
  job: (id: string) => Promise<Job>;
  /** A succeeded query job's result as JSON (the synchronous answer's shape). */
  result: (job: Job) => Promise<QueryAnswer>;
  cancel: (id: string) => Promise<unknown>;
}

export interface RunOptions {
  thresholdMs?: number;
  pollMs?: number;
  onProgress?: (p: AsyncProgress) => void;
  /**
   * The chart went away, asked again or its Cancel was pressed: stop waiting and cancel what
   * still runs at the server, the job and the synchronous query it took over from.
   */
  signal?: AbortSignal;
  /** Told the id of the synchronous query as it is sent (the chart shows it). */
  onQuery?: (queryId: string) => void;
  /** A new query id (a UUID); `crypto.randomUUID` by default. */
  newId?: () => string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A query's job failed or was cancelled: its error, as the synchronous request would give it. */
export class JobFailedError extends Error {
  constructor(readonly job: Job) {
    super(job.error?.message ?? `the query's job ${job.state}`);
  }
}

const slowQueries = new Set<string>();

/** Whether this query went async before (in this session). */
export function knownSlow(query: SemanticQuery): boolean {
  return slowQueries.has(JSON.stringify(query));
}

export function forgetSlow(): void {
  slowQueries.clear();
}

const TIMED_OUT = Symbol('timed out');

/** A random UUID (v4), also where `crypto.randomUUID` is missing (a page served over plain http). */
export function uuid(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function aborted(signal?: AbortSignal): never {
  throw signal?.reason instanceof Error ? signal.reason : new DOMException('the chart stopped asking', 'AbortError');
}

/**
 * Runs a chart's query: synchronously when it answers within the threshold, else as a job
 * whose progress is reported until its result arrives. When `signal` aborts, whatever still
 * runs at the server is cancelled: the job first (so that it does not take over the warehouse
 * query it was waiting for), then the synchronous query it had joined.
 */
export async function runChartQuery(t: Transport, query: SemanticQuery, cache: string | undefined, o: RunOptions = {}): Promise<QueryAnswer> {
  const threshold = o.thresholdMs ?? 2000;
  const poll = o.pollMs ?? 1000;
  const now = o.now ?? (() => Date.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  const key = JSON.stringify(query);
  let syncId: string | null = null;
  const cancelSync = () => { if (syncId) t.cancelQuery(syncId).catch(() => undefined); };
  if (!slowQueries.has(key)) {
    const sync = new AbortController();
    const stop = () => sync.abort();
    o.signal?.addEventListener('abort', stop);
    let timer: ReturnType<typeof setTimeout> | undefined;
    syncId = (o.newId ?? uuid)();
    o.onQuery?.(syncId);
    try {
      const answer = await Promise.race([
        t.query(query, cache, sync.signal, syncId),
        new Promise<typeof TIMED_OUT>((r) => { timer = setTimeout(() => r(TIMED_OUT), threshold); }),
      ]);
      if (answer !== TIMED_OUT) return answer;
    } catch (e) {
      if (o.signal?.aborted) cancelSync(); // stopped while it ran: it still runs at the warehouse
      throw e;
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', stop);
    }
    sync.abort(); // too slow: the job takes over (and joins its warehouse query)
    slowQueries.add(key);
  }
  if (o.signal?.aborted) {
    cancelSync();
    aborted(o.signal);
  }
  let job = await t.submit(query, cache);
  try {
    for (;;) {
      o.onProgress?.({ jobId: job.id, state: job.state, rows: job.progress, elapsedMs: now() - started });
      if (job.state === 'succeeded') return await t.result(job);
      if (job.state === 'failed' || job.state === 'cancelled') throw new JobFailedError(job);
      await sleep(poll);
      if (o.signal?.aborted) aborted(o.signal);
      job = await t.job(job.id);
    }
  } catch (e) {
    if (o.signal?.aborted && job.state !== 'succeeded' && job.state !== 'failed' && job.state !== 'cancelled') {
      // nobody waits for it any more: the job, then the query it joined (in that order, else
      // the job would run the query again itself)
      t.cancel(job.id).catch(() => undefined).then(cancelSync);
    }
    throw e;
  }
}
