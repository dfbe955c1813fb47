import { describe, expect, it } from 'vitest';
import { alertBody, alertForm, channelsOf, describeCondition, describeRun, reportBody, reportForm } from './reports';

describe('channelsOf', () => {
  it('makes one email channel for every address and one webhook per URL', () => {
    expect(channelsOf('a@x.com\n b@x.com, ', 'https://hooks.example.com/1\nhttps://hooks.example.com/2')).toEqual([
      { type: 'email', to: ['a@x.com', 'b@x.com'] },
      { type: 'webhook', url: 'https://hooks.example.com/1' },
      { type: 'webhook', url: 'https://hooks.example.com/2' },
    ]);
    expect(channelsOf('', undefined)).toEqual([]);
  });
});

describe('report bodies', () => {
  it('sends a chart target as chartId and round-trips through the form', () => {
    const body = reportBody({ name: 'Daily', cron: '0 0 7 * * *', target: 'chart', targetId: 12, format: 'csv', emails: 'ops@x.com' });
    expect(body).toEqual({ name: 'Daily', cron: '0 0 7 * * *', timeZone: undefined, format: 'csv', chartId: 12, channels: [{ type: 'email', to: ['ops@x.com'] }] });
    expect(reportForm(body)).toMatchObject({ target: 'chart', targetId: 12, emails: 'ops@x.com', webhooks: '' });
  });
});

describe('alert bodies', () => {
  it('parses the query JSON and drops the value of is_empty', () => {
    const body = alertBody({ name: 'Empty', cron: '0 * * * * *', source: 'query', query: '{"measures":["orders.count"]}', op: 'is_empty', value: 3, webhooks: 'https://h.example.com/x' });
    expect(body.query).toEqual({ measures: ['orders.count'] });
    expect(body.condition).toEqual({ op: 'is_empty' });
    expect(alertForm(body).query).toContain('orders.count');
  });

  it('names the query field when it is not JSON', () => {
    expect(() => alertBody({ name: 'x', cron: '* * * * * *', source: 'query', query: '{measures' })).toThrow(/query is not JSON/);
  });

  it('describes conditions and runs for people', () => {
    expect(describeCondition({ op: 'changed_by_pct', value: 10 })).toBe('changed by more than 10%');
    expect(describeCondition({ op: '>=', value: 5 })).toBe('>= 5');
    expect(describeRun({ id: 'r', jobId: null, test: false, state: 'failed', value: '7', error: 'x', startedAt: '', finishedAt: null,
      deliveries: [{ channel: 'email', to: 'email a@x.com', attempts: 1, ok: true }, { channel: 'webhook', to: 'webhook https://h', attempts: 3, ok: false, error: 'HTTP 500' }] }))
      .toBe('value 7 · sent to email a@x.com · failed: webhook https://h (3 attempts: HTTP 500)');
    expect(describeRun({ id: 'r', jobId: null, test: false, state: 'silent', value: null, error: null, startedAt: '', finishedAt: null, deliveries: [] }))
      .toContain('grace period');
  });
});
