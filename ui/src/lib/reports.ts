// Reports and alerts as the REST API takes them (/api/v1/reports, /api/v1/alerts), and the
// conversions between them and the editing form.

export type Channel = { type: 'email'; to: string[] } | { type: 'webhook'; url: string };
export type ReportFormat = 'png' | 'pdf' | 'csv' | 'text';
export type ConditionOp = '>' | '>=' | '<' | '<=' | '==' | '!=' | 'changed_by_pct' | 'is_empty';
export const CONDITION_OPS: ConditionOp[] = ['>', '>=', '<', '<=', '==', '!=', 'changed_by_pct', 'is_empty'];

interface Common {
  id?: string; name: string; cron: string; timeZone?: string; active?: boolean; channels: Channel[];
  owner?: string; state?: 'ok' | 'triggered' | 'error'; lastValue?: string | null;
  lastNotifiedAt?: string | null; createdAt?: string; updatedAt?: string;
}
export interface Report extends Common {
  kind?: 'report'; dashboardId?: number; chartId?: number; format: ReportFormat; width?: number; height?: number;
}
export interface AlertDef extends Common {
  kind?: 'alert'; query?: unknown; sql?: string;
  condition: { op: ConditionOp; value?: number }; gracePeriod?: string; attachChartId?: number;
}
export interface Run {
  id: string; jobId: string | null; test: boolean; state: string; value: string | null; error: string | null;
  deliveries: { channel: string; to: string; attempts: number; ok: boolean; error?: string }[];
  startedAt: string; finishedAt: string | null;
}

/** What the form edits: channels as text (one address or URL a line), the rest as fields. */
export interface FormValues {
  name: string; cron: string; timeZone?: string; emails?: string; webhooks?: string;
  target?: 'dashboard' | 'chart'; targetId?: number; format?: ReportFormat; width?: number; height?: number;
  source?: 'query' | 'sql'; query?: string; sql?: string; op?: ConditionOp; value?: number;
  gracePeriod?: string; attachChartId?: number;
}

function lines(text: string | undefined): string[] {
  return (text ?? '').split(/[\n,;]/).map((s) => s.trim()).filter(Boolean);
}

/** The channels of the form's two text boxes: one email channel for all addresses, one webhook per URL. */
export function channelsOf(emails: string | undefined, webhooks: string | undefined): Channel[] {
  const out: Channel[] = [];
  const to = lines(emails);
  if (to.length > 0) out.push({ type: 'email', to });
  for (const url of lines(webhooks)) out.push({ type: 'webhook', url });
  return out;
}

function channelText(channels: Channel[]): { emails: string; webhooks: string } {
  return {
    emails: channels.flatMap((c) => (c.type === 'email' ? c.to : [])).join('\n'),
    webhooks: channels.flatMap((c) => (c.type === 'webhook' ? [c.url] : [])).join('\n'),
  };
}

export function reportBody(v: FormValues): Report {
  const body: Report = {
    name: v.name, cron: v.cron, timeZone: v.timeZone || undefined, format: v.format ?? 'png',
    channels: channelsOf(v.emails, v.webhooks),
  };
  if (v.target === 'chart') body.chartId = v.targetId; else body.dashboardId = v.targetId;
  if (v.width) body.width = v.width;
  if (v.height) body.height = v.height;
  return body;
}

/** The alert's body; a query that is not JSON is an error naming the field, before any request. */
export function alertBody(v: FormValues): AlertDef {
  const body: AlertDef = {
    name: v.name, cron: v.cron, timeZone: v.timeZone || undefined,
    channels: channelsOf(v.emails, v.webhooks),
    condition: v.op === 'is_empty' ? { op: 'is_empty' } : { op: v.op ?? '>', value: v.value },
    gracePeriod: v.gracePeriod || undefined,
  };
  if (v.source === 'sql') {
    body.sql = v.sql;
  } else {
    try {
      body.query = JSON.parse(v.query ?? '');
    } catch (e) {
      throw new Error(`query is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (v.attachChartId) body.attachChartId = v.attachChartId;
  return body;
}

export function reportForm(r: Report): FormValues {
  return {
    name: r.name, cron: r.cron, timeZone: r.timeZone, ...channelText(r.channels),
    target: r.chartId ? 'chart' : 'dashboard', targetId: r.chartId ?? r.dashboardId,
    format: r.format, width: r.width, height: r.height,
  };
}

export function alertForm(a: AlertDef): FormValues {
  return {
    name: a.name, cron: a.cron, timeZone: a.timeZone, ...channelText(a.channels),
    source: a.sql ? 'sql' : 'query', sql: a.sql, query: a.query ? JSON.stringify(a.query, null, 2) : undefined,
    op: a.condition.op, value: a.condition.value, gracePeriod: a.gracePeriod, attachChartId: a.attachChartId,
  };
}

export function describeCondition(c: AlertDef['condition']): string {
  if (c.op === 'is_empty') return 'is empty';
  if (c.op === 'changed_by_pct') return `changed by more than ${c.value}%`;
  return `${c.op} ${c.value}`;
}

/** A run's outcome for a person: what was sent where, or why not. */
export function describeRun(r: Run): string {
  const sent = r.deliveries.filter((d) => d.ok).map((d) => d.to);
  const failed = r.deliveries.filter((d) => !d.ok).map((d) => `${d.to} (${d.attempts} attempts: ${d.error ?? 'failed'})`);
  const parts: string[] = [];
  if (r.value !== null) parts.push(`value ${r.value}`);
  if (sent.length) parts.push(`sent to ${sent.join(', ')}`);
  if (failed.length) parts.push(`failed: ${failed.join(', ')}`);
  if (r.error && !failed.length) parts.push(r.error);
  if (!parts.length) parts.push(r.state === 'silent' ? 'still triggered: nothing sent in the grace period' : 'nothing to send');
  return parts.join(' · ');
}
