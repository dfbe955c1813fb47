import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../api';
import { forgetSlow, JobFailedError, knownSlow, runChartQuery, type AsyncProgress, type Transport } from './slow';
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

/** A server whose synchronous answer takes `syncMs`, and whose job goes through `states`. */
function server(syncMs: number, states: Job['state'][], calls: string[]): Transport {
  let polls = 0;
  return {
    query: (_query, _cache, signal) => new Promise((resolve, reject) => {
      calls.push('query');
      const t = setTimeout(() => resolve(answer('sync')), syncMs);
      signal.addEventListener('abort', () => { clearTimeout(t); calls.push('abort'); reject(new DOMException('aborted', 'AbortError')); });
    }),
    submit: async () => { calls.push('submit'); return job('j1', 'queued'); },
    job: async (id) => { calls.push('poll'); const s = states[Math.min(polls, states.length - 1)]; polls++; return job(id, s, polls * 100, s === 'failed' ? 'the warehouse said no' : undefined); },
    result: async () => { calls.push('result'); return answer('async'); },
    cancel: async () => { calls.push('cancel'); },
  };
}

const fast = { thresholdMs: 50, pollMs: 1, sleep: () => Promise.resolve() };

describe('runChartQuery', () => {
  afterEach(forgetSlow);

  it('answers synchronously when the answer comes within the threshold, with no job', async () => {
    const calls: string[] = [];
    const a = await runChartQuery(server(5, ['succeeded'], calls), q, undefined, fast);
    expect(a.queryId).toBe('sync');
    expect(calls).toEqual(['query']);
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
});
