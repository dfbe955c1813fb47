// The REST API of the Strata server, from the browser (session cookie set by /auth/login).

import type { Chart, Dashboard, Meta, QueryAnswer, SemanticQuery } from './lib/types';
import type { Grant, Rule, UserWithAttributes } from './lib/access';
import type { AlertDef, Report, Run } from './lib/reports';
import type { RollupStatus } from './lib/rollups';
import type { HistoryEntry } from './lib/sqllab';

export interface Problem { file: string; line: number; column: number; message: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly location?: string,
    readonly errors?: Problem[],
  ) {
    super(message);
  }
}

export const UNAUTHORIZED_EVENT = 'strata:unauthorized';

type Body = { json: unknown } | { text: string; type: string } | undefined;

async function call(method: string, path: string, body?: Body, accept = 'application/json', signal?: AbortSignal, extra?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept, 'X-Requested-With': 'XMLHttpRequest', ...extra };
  let payload: string | undefined;
  if (body && 'json' in body) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body) {
    headers['Content-Type'] = body.type;
    payload = body.text;
  }
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal });
  if (!r.ok) {
    let code = 'HTTP_' + r.status;
    let message = `${method} ${path} answered HTTP ${r.status}`;
    let location: string | undefined;
    let errors: Problem[] | undefined;
    try {
      const e = (await r.json()).error;
      if (e) {
        code = e.code ?? code;
        message = e.message ?? message;
        location = e.location ?? undefined;
        errors = e.errors ?? undefined;
      }
    } catch {
      // not JSON: keep the status line
    }
    if (r.status === 401 && !path.endsWith('/auth/login')) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw new ApiError(r.status, code, message, location, errors);
  }
  return r;
}

async function json<T>(method: string, path: string, body?: Body, signal?: AbortSignal, extra?: Record<string, string>): Promise<T> {
  const r = await call(method, path, body, 'application/json', signal, extra);
  return r.status === 204 ? (undefined as T) : ((await r.json()) as T);
}

export interface Me { username: string; role: 'admin' | 'editor' | 'viewer'; via: string }
export interface ModelFile { name: string; version: number; author: string; createdAt: string; deleted: boolean }
export interface SavedQuery { id: number; name: string; sql: string; createdAt: string; updatedAt: string }
export interface SqlAnswer { queryId: string; columns: { name: string; type: string }[]; data: unknown[][]; rows: number }
export interface CompiledSql { sql: string; dataSource: string; dialect: string; rollup?: string | null; rollupRejections?: string[] }

export type CacheMode = 'on' | 'no-cache' | 'must-revalidate' | 'stale-ok' | 'bypass';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export interface Job {
  id: string; kind: 'query' | 'export' | 'warmup' | 'rollup_build'; state: JobState; owner: string; progress: number;
  attempts: number; worker: string | null; scheduleId: string | null;
  createdAt: string; startedAt: string | null; finishedAt: string | null; expiresAt: string | null;
  error: { code: string | null; message: string | null } | null;
  result: { rows: number | null; bytes: number | null; available: boolean } | null;
  links: { self: string; events: string; cancel?: string; result?: string; download?: string; file?: string };
}
export interface JobSchedule {
  id: string; kind: string; owner: string; cron: string | null; timeZone: string | null; parameters: unknown;
  createdAt: string; lastRunAt: string | null; lastJobId: string | null;
  /** a warm-up that runs before its dashboard's cache entries expire, instead of by cron */
  keepWarm?: boolean;
}

export const api = {
  me: () => json<Me>('GET', '/api/v1/auth/me'),
  login: (username: string, password: string) => json<Me>('POST', '/api/v1/auth/login', { json: { username, password } }),
  logout: () => json<void>('POST', '/api/v1/auth/logout'),
  meta: () => json<Meta>('GET', '/api/v1/meta'),

  dashboards: () => json<Dashboard[]>('GET', '/api/v1/dashboards'),
  dashboard: (id: number) => json<Dashboard>('GET', `/api/v1/dashboards/${id}`),
  createDashboard: (d: { name: string; description?: string; filters?: unknown }) => json<Dashboard>('POST', '/api/v1/dashboards', { json: d }),
  updateDashboard: (id: number, d: { name: string; description?: string | null; filters?: unknown }) => json<Dashboard>('PUT', `/api/v1/dashboards/${id}`, { json: d }),
  deleteDashboard: (id: number) => json<void>('DELETE', `/api/v1/dashboards/${id}`),
  exportDashboard: (id: number) => json<unknown>('GET', `/api/v1/dashboards/${id}/export`),
  importDashboard: (exported: unknown) => json<Dashboard>('POST', '/api/v1/dashboards/import', { json: exported }),
  /** Marks (or unmarks) a dashboard as one of the user's favourites. */
  favourite: (id: number, on: boolean) => json<void>(on ? 'PUT' : 'DELETE', `/api/v1/dashboards/${id}/favourite`),

  chart: (id: number) => json<Chart>('GET', `/api/v1/charts/${id}`),
  addChart: (c: Chart & { dashboardId: number }) => json<Chart>('POST', '/api/v1/charts', { json: c }),
  updateChart: (id: number, c: Chart) => json<Chart>('PUT', `/api/v1/charts/${id}`, { json: c }),
  deleteChart: (id: number) => json<void>('DELETE', `/api/v1/charts/${id}`),

  /**
   * Runs a semantic query; `cache` follows the results cache contract, sent as `?cache=` (which a
   * server without the cache ignores, where it would refuse an unknown body field).
   */
  query: (query: SemanticQuery, cache?: CacheMode, signal?: AbortSignal, queryId?: string) => json<QueryAnswer>('POST', `/api/v1/query${cache ? `?cache=${cache}` : ''}`, { json: { query } }, signal,
    queryId ? { 'X-Strata-Query-Id': queryId } : undefined),
  /** Cancels your own running query (an admin: anyone's) at the warehouse, by its id. */
  cancelQuery: (queryId: string) => json<void>('DELETE', `/api/v1/queries/${encodeURIComponent(queryId)}`),
  /** The same query as a job (202 at once); its result is read with `jobResult`. */
  queryAsync: (query: SemanticQuery, cache?: CacheMode) => json<Job>('POST', `/api/v1/query${cache ? `?cache=${cache}` : ''}`, { json: { query, async: true } }),
  job: (id: string) => json<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`),
  jobResult: (job: Job) => json<QueryAnswer>('GET', job.links.result ?? `/api/v1/jobs/${encodeURIComponent(job.id)}/result`),
  querySql: (query: SemanticQuery) => json<CompiledSql>('POST', '/api/v1/query/sql', { json: { query } }),

  sql: (sql: string) => json<SqlAnswer>('POST', '/api/v1/sql', { json: { sql } }),
  sqlCsv: async (sql: string) => (await call('POST', '/api/v1/sql', { json: { sql } }, 'text/csv')).blob(),

  /** The SQL Lab: your saved queries and the history of your SQL statements. */
  savedQueries: () => json<SavedQuery[]>('GET', '/api/v1/saved-queries'),
  saveQuery: (q: { name: string; sql: string }, id?: number) => json<SavedQuery>(id ? 'PUT' : 'POST', `/api/v1/saved-queries${id ? `/${id}` : ''}`, { json: q }),
  deleteSavedQuery: (id: number) => json<void>('DELETE', `/api/v1/saved-queries/${id}`),
  sqlHistory: (limit = 100) => json<HistoryEntry[]>('GET', `/api/v1/sql/history?limit=${limit}`),

  jobs: (all: boolean) => json<Job[]>('GET', `/api/v1/jobs${all ? '?all=true' : ''}`),
  cancelJob: (id: string) => json<Job>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`),
  submitJob: (job: Record<string, unknown>) => json<Job | JobSchedule>('POST', '/api/v1/jobs', { json: job }),
  /** A finished job's file: an export's CSV, or a query job's result as CSV. */
  jobFile: async (job: Job) => (await call('GET', job.links.download ?? job.links.result ?? job.links.self, undefined, 'text/csv')).blob(),
  schedules: () => json<JobSchedule[]>('GET', '/api/v1/job-schedules'),
  deleteSchedule: (id: string) => json<void>('DELETE', `/api/v1/job-schedules/${encodeURIComponent(id)}`),

  reports: () => json<Report[]>('GET', '/api/v1/reports'),
  saveReport: (r: Report, id?: string) => json<Report>(id ? 'PUT' : 'POST', `/api/v1/reports${id ? `/${encodeURIComponent(id)}` : ''}`, { json: r }),
  alerts: () => json<AlertDef[]>('GET', '/api/v1/alerts'),
  saveAlert: (a: AlertDef, id?: string) => json<AlertDef>(id ? 'PUT' : 'POST', `/api/v1/alerts${id ? `/${encodeURIComponent(id)}` : ''}`, { json: a }),
  /** kind is `reports` or `alerts`. */
  deleteNotification: (kind: string, id: string) => json<void>('DELETE', `/api/v1/${kind}/${encodeURIComponent(id)}`),
  testSend: (kind: string, id: string) => json<{ jobId: string }>('POST', `/api/v1/${kind}/${encodeURIComponent(id)}/test-send`),
  setActive: (kind: string, id: string, active: boolean) => json<Report | AlertDef>('POST', `/api/v1/${kind}/${encodeURIComponent(id)}/${active ? 'resume' : 'pause'}`),
  runs: (kind: string, id: string) => json<Run[]>('GET', `/api/v1/${kind}/${encodeURIComponent(id)}/runs`),
  /** A dashboard's thumbnail as an object URL, or null while the server renders it (202). */
  thumbnail: async (dashboardId: number) => {
    const r = await call('GET', `/api/v1/thumbnails/dashboards/${dashboardId}`, undefined, 'image/png');
    return r.status === 202 ? null : URL.createObjectURL(await r.blob());
  },

  rollups: (model: string) => json<RollupStatus[]>('GET', `/api/v1/rollups/${encodeURIComponent(model)}`),
  buildRollup: (model: string, rollup: string, force: boolean) => json<Job>('POST', `/api/v1/rollups/${encodeURIComponent(model)}/${encodeURIComponent(rollup)}/build`, { json: { force } }),
  models: () => json<ModelFile[]>('GET', '/api/v1/models'),
  model: async (name: string, version?: number) => {
    const r = await call('GET', `/api/v1/models/${encodeURIComponent(name)}${version ? `?version=${version}` : ''}`, undefined, 'application/yaml');
    return { yaml: await r.text(), version: Number(r.headers.get('X-Strata-Model-Version') ?? 0) };
  },
  history: (name: string) => json<ModelFile[]>('GET', `/api/v1/models/${encodeURIComponent(name)}/history`),
  saveModel: (name: string, yaml: string) => json<ModelFile>('PUT', `/api/v1/models/${encodeURIComponent(name)}`, { text: yaml, type: 'application/yaml' }),
  validateModels: (files: Record<string, string>) => json<{ valid: boolean }>('POST', '/api/v1/models/validate', { json: { files } }),

  users: () => json<UserWithAttributes[]>('GET', '/api/v1/users'),
  setAttributes: (id: number, attributes: Record<string, string>) => json<UserWithAttributes>('PUT', `/api/v1/users/${id}`, { json: { attributes } }),
  rules: () => json<Rule[]>('GET', '/api/v1/security/rules'),
  saveRule: (r: Omit<Rule, 'id'>, id?: number) => json<Rule>(id ? 'PUT' : 'POST', `/api/v1/security/rules${id ? `/${id}` : ''}`, { json: r }),
  deleteRule: (id: number) => json<void>('DELETE', `/api/v1/security/rules/${id}`),
  grants: () => json<Grant[]>('GET', '/api/v1/security/grants'),
  saveGrant: (g: Omit<Grant, 'id'>, id?: number) => json<Grant>(id ? 'PUT' : 'POST', `/api/v1/security/grants${id ? `/${id}` : ''}`, { json: g }),
  deleteGrant: (id: number) => json<void>('DELETE', `/api/v1/security/grants/${id}`),
};

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
