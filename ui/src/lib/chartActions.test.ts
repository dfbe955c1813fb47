import { describe, expect, it } from 'vitest';
import type { Job } from '../api';
import { describeRefresh, exportCsv, fileName, type ExportTransport } from './chartActions';

function job(state: Job['state'], progress = 0): Job {
  return {
    id: 'e1', kind: 'export', state, owner: 'admin', progress, attempts: 1, worker: null, scheduleId: null,
    createdAt: '', startedAt: null, finishedAt: null, expiresAt: null,
    error: state === 'failed' ? { code: 'ROW_LIMIT_EXCEEDED', message: 'more than 5 rows' } : null, result: null,
    links: { self: '/api/v1/jobs/e1', events: '', download: '/api/v1/jobs/e1/download' },
  };
}

function server(states: Job['state'][], calls: string[]): ExportTransport {
  let n = 0;
  return {
    submit: async (body) => { calls.push(`submit:${JSON.stringify(body)}`); return job(states[0]); },
    job: async () => { n++; calls.push('poll'); return job(states[Math.min(n, states.length - 1)], n * 10); },
    file: async () => { calls.push('file'); return new Blob(['a,b\n1,2\n']); },
    cancel: async () => { calls.push('cancel'); },
  };
}

const quick = { sleep: () => Promise.resolve() };

describe('chart actions', () => {
  it('names files after the chart, safely', () => {
    expect(fileName('Revenue by region / 2024: "top"', 'csv')).toBe('Revenue by region 2024 top.csv');
    expect(fileName('../../etc', 'png')).toBe('etc.png');
    expect(fileName('***', 'png')).toBe('chart.png');
  });

  it('exports the chart query as a job and reads its file when it succeeds', async () => {
    const calls: string[] = [];
    const seen: string[] = [];
    const blob = await exportCsv(server(['queued', 'running', 'succeeded'], calls), { measures: ['orders.count'] }, { ...quick, onProgress: (j) => seen.push(j.state) });
    expect(await blob.text()).toBe('a,b\n1,2\n');
    expect(calls).toEqual(['submit:{"kind":"export","query":{"measures":["orders.count"]}}', 'poll', 'poll', 'file']);
    expect(seen).toEqual(['queued', 'running', 'succeeded']);
  });

  it('a failed export says why', async () => {
    await expect(exportCsv(server(['running', 'failed'], []), { measures: ['orders.count'] }, quick)).rejects.toThrow('the export failed: more than 5 rows');
  });

  it('a cancelled download cancels its job', async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    const run = exportCsv(server(['running'], calls), { measures: ['orders.count'] }, { ...quick, signal: stop.signal, onProgress: () => stop.abort() });
    await expect(run).rejects.toThrow('cancelled');
    expect(calls).toContain('cancel');
  });

  it('says what a refresh did', () => {
    expect(describeRefresh([
      { cache: { tier: 'miss' } }, { cache: { tier: 'miss' } }, { cache: { tier: 'miss' } },
      { cache: { tier: 'l1' } }, { cache: { tier: 'l2' } }, { cache: { tier: 'miss' }, rollup: 'orders.daily@1' },
      { error: true }, { cancelled: true },
    ])).toBe('6 charts refreshed, 3 from the warehouse, 1 from rollups, 2 from the cache, 1 failed, 1 cancelled');
    expect(describeRefresh([{ cache: { tier: 'bypass' } }])).toBe('1 chart refreshed, 1 from the warehouse');
    expect(describeRefresh([])).toBe('0 charts refreshed');
  });
});
