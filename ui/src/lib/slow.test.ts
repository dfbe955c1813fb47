import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../api';
import { forgetSlow, JobFailedError, knownSlow, runChartQuery, uuid, type AsyncProgress, type Transport } from './slow';
import type { QueryAnswer, SemanticQuery } from './types';

const q: SemanticQuery = { measures: ['orders.count'] };
const answer = (id: string) => ({ queryId: id, data: [{ 'orders.count': 1 }], rows: 1 }) as unknown as QueryAnswer;

function job(id: string, state: Job['state'], progress = 0, error?: string): Job {
  return {
    id, kind: 'query', state, owner: 'admin', progress, attempts: 1, worker: null, scheduleId: null,
    createdAt: '', startedAt: null, finishedAt: null, expiresAt: null,
    error: error ? { code: 'WAREHOUSE_ERROR', message: error } : null, result: null,
    links: { self: `/api/v1/jobs/${id}`, events: '', result: `/api/v1/jobs/${id}/result` },
  };
}

/** The ids the synchronous queries were sent under (the first of each test's calls). */
const ids: string[] = [];

/** A server whose synchronous answer takes `syncMs`, and whose job goes through `states`. */
function server(syncMs: number, states: Job['state'][], calls: string[]): Transport {
  let polls = 0;
  return {
    query: (_query, _cache, signal, queryId) => new Promise((resolve, reject) => {
      if (calls.length === 0) ids.push(queryId);
      calls.push('query');
      const t = setTimeout(() => resolve(answer('sync')), syncMs);
      signal.addEventListener('abort', () => { clearTimeout(t); calls.push('abort'); reject(new DOMException('aborted', 'AbortError')); });
    }),
    submit: async () => { calls.push('submit'); return job('j1', 'queued'); },
    job: async (id) => { calls.push('poll'); const s = states[Math.min(polls, states.length - 1)]; polls++; return job(id, s, polls * 100, s === 'failed' ? 'the warehouse said no' : undefined); },
    result: async () => { calls.push('result'); return answer('async'); },
    cancel: async () => { calls.push('cancel'); },
    cancelQuery: async (id) => { calls.push(`cancelQuery:${id}`); },
  };
}

const fast = { thresholdMs: 50, pollMs: 1, sleep: () => Promise.resolve() };

describe('uuid', () => {
  it('makes distinct version-4 UUIDs', () => {
    const a = uuid();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid()).not.toBe(a);
  });
});

describe('runChartQuery', () => {
  afterEach(forgetSlow);

  it('answers synchronously when the answer comes within the threshold, with no job', async () => {
    const calls: string[] = [];
    ids.length = 0;
    const a = await runChartQuery(server(5, ['succeeded'], calls), q, undefined, fast);
    expect(a.queryId).toBe('sync');
    expect(calls).toEqual(['query']);
    // the query was sent under a fresh UUID, which the server takes as X-Strata-Query-Id
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(knownSlow(q)).toBe(false);
  });

  it('gives up a slow request, runs the query as a job, reports its progress and returns its result', async () => {
    const calls: string[] = [];
    const progress: AsyncProgress[] = [];
    const a = await runChartQuery(server(10_000, ['queued', 'running', 'running', 'succeeded'], calls), q, 'on',
      { ...fast, onProgress: (p) => progress.push(p) });
    expect(a.queryId).toBe('async');
    expect(calls).toEqual(['query', 'abort', 'submit', 'poll', 'poll', 'poll', 'poll', 'result']);
    expect(progress.map((p) => p.state)).toEqual(['queued', 'queued', 'running', 'running', 'succeeded']);
    expect(progress.every((p) => p.jobId === 'j1')).toBe(true);
    expect(progress[progress.length - 1].rows).toBeGreaterThan(0);
    expect(knownSlow(q)).toBe(true);
  });

  it('goes async at once for a query that was slow before', async () => {
    const calls: string[] = [];
    await runChartQuery(server(10_000, ['succeeded'], calls), q, undefined, fast);
    calls.length = 0;
    await runChartQuery(server(10_000, ['succeeded'], calls), q, undefined, fast);
    expect(calls).toEqual(['submit', 'poll', 'result']);
  });

  it('a failed job is the chart\'s error, with the job\'s message', async () => {
    const calls: string[] = [];
    const run = runChartQuery(server(10_000, ['running', 'failed'], calls), q, undefined, fast);
    await expect(run).rejects.toBeInstanceOf(JobFailedError);
    await expect(run).rejects.toThrow('the warehouse said no');
  });

  it('a chart that stops asking cancels its running job', async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    const run = runChartQuery(server(10_000, ['running'], calls), q, undefined, {
      ...fast, onProgress: (p) => { if (p.state === 'running') stop.abort(); }, signal: stop.signal,
    });
    await expect(run).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toContain('cancel');
    expect(calls.filter((c) => c === 'poll').length).toBe(1);
  });

  it('a query that answers in time is never cancelled; one abandoned for a job is not either (the job joins it)', async () => {
    const calls: string[] = [];
    await runChartQuery(server(5, ['succeeded'], calls), q, undefined, fast);
    await runChartQuery(server(10_000, ['running', 'succeeded'], calls), { measures: ['orders.total'] }, undefined, fast);
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.some((c) => c.startsWith('cancelQuery'))).toBe(false);
  });

  it('cancelled while it runs synchronously: the named query is cancelled at the server', async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    const ids: string[] = [];
    const run = runChartQuery(server(10_000, ['running'], calls), q, undefined, {
      ...fast, thresholdMs: 60_000, signal: stop.signal, newId: () => 'q-1', onQuery: (id) => ids.push(id),
    });
    await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await expect(run).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(ids).toEqual(['q-1']);
    expect(calls).toEqual(['query', 'abort', 'cancelQuery:q-1']);
  });

  it('cancelled while its job runs: the job is cancelled first, then the query it took over from', async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    const run = runChartQuery(server(10_000, ['running'], calls), q, undefined, {
      ...fast, newId: () => 'q-2', onProgress: (p) => { if (p.state === 'running') stop.abort(); }, signal: stop.signal,
    });
    await expect(run).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    const tail = calls.filter((c) => c === 'cancel' || c.startsWith('cancelQuery'));
    expect(tail).toEqual(['cancel', 'cancelQuery:q-2']);
  });

  it('a query known to be slow goes straight to a job: cancelling it cancels the job alone', async () => {
    const calls: string[] = [];
    await runChartQuery(server(10_000, ['succeeded'], calls), q, undefined, fast);
    calls.length = 0;
    const stop = new AbortController();
    const run = runChartQuery(server(10_000, ['running'], calls), q, undefined, {
      ...fast, onProgress: (p) => { if (p.state === 'running') stop.abort(); }, signal: stop.signal,
    });
    await expect(run).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toContain('cancel');
    expect(calls.some((c) => c.startsWith('cancelQuery'))).toBe(false);
  });
});
