import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Dropdown, Modal, Skeleton, Spin, Tabs, Tag, Tooltip, Typography, type MenuProps } from 'antd';
import {
  CodeOutlined, DeleteOutlined, DownloadOutlined, EditOutlined, FileImageOutlined, FullscreenOutlined, MoreOutlined,
  ReloadOutlined, StopOutlined,
} from '@ant-design/icons';
import { getInstanceByDom } from 'echarts/core';
import ChartView from './ChartView';
import { api, message, type CacheMode, type Job } from '../api';
import { formatAge } from '../lib/format';
import { previousPeriodQuery } from '../lib/query';
import { runChartQuery, type AsyncProgress, type Transport } from '../lib/slow';
import { exportCsv, fileName, save, type RefreshOutcome } from '../lib/chartActions';
import type { CacheInfo, Chart, QueryAnswer, SemanticQuery } from '../lib/types';
import './dashboard.css';

/** A refresh of the whole dashboard: its number, how it uses the cache, whether a timer asked. */
export interface RefreshRound { n: number; cache?: CacheMode; auto?: boolean }

interface Props {
  chart: Chart;
  /** the chart's query with the dashboard's filters applied */
  query: SemanticQuery;
  /** a new round (Refresh, auto-refresh) runs the query again with the round's cache mode */
  refresh: RefreshRound;
  style?: React.CSSProperties;
  onEdit?: () => void;
  onDelete?: () => void;
  /** told how each run ended, with the refresh round that started it (0: the first run) */
  onOutcome?: (round: number, outcome: RefreshOutcome) => void;
  /** passed on to ChartView (room for cross-filtering's selection callback) */
  viewProps?: Record<string, unknown>;
  /**
   * Wait for the answer however long it takes, never as a job: a headless render (a thumbnail,
   * a report) is itself a job, and jobs waiting for jobs could take every worker.
   */
  inline?: boolean;
}

/** Longest setTimeout delay (about 24.8 days): "never" for the slow-query threshold. */
const NEVER = 2 ** 31 - 1;

/** Where an answer came from, as a tag: the cache tier and age, or "warehouse". */
export function CacheTag({ cache, ms, rollup }: { cache?: CacheInfo; ms?: number; rollup?: string | null }) {
  if (rollup && (!cache || cache.tier === 'miss' || cache.tier === 'bypass')) {
    return <Tooltip title={`answered from rollup ${rollup}${ms !== undefined ? ` in ${Math.round(ms)} ms` : ''}`}><Tag className="cache-tag" data-tier="rollup" color="purple">rollup</Tag></Tooltip>;
  }
  if (!cache) {
    return <Tooltip title={ms !== undefined ? `answered in ${Math.round(ms)} ms` : undefined}><Tag className="cache-tag" data-tier="none">live</Tag></Tooltip>;
  }
  const label = cache.tier === 'miss' ? 'warehouse' : cache.tier === 'bypass' ? 'uncached' : cache.tier.toUpperCase();
  const color = cache.tier === 'l1' ? 'green' : cache.tier === 'l2' ? 'cyan' : cache.tier === 'miss' ? 'blue' : 'default';
  const age = cache.ageMs !== undefined && (cache.tier === 'l1' || cache.tier === 'l2') ? ` · ${formatAge(cache.ageMs)}` : '';
  const title = [
    cache.tier === 'miss' ? 'run at the warehouse now' : cache.tier === 'bypass' ? 'cache bypassed' : `from the ${cache.tier.toUpperCase()} cache`,
    cache.createdAt && `computed ${new Date(cache.createdAt).toLocaleString()}`,
    cache.expiresAt && `expires ${new Date(cache.expiresAt).toLocaleString()}`,
    cache.stale && 'stale: being refreshed',
  ].filter(Boolean).join(' · ');
  return <Tooltip title={title}><Tag className="cache-tag" data-tier={cache.tier} color={cache.stale ? 'orange' : color}>{label}{age}{cache.stale ? ' · stale' : ''}</Tag></Tooltip>;
}

/** The real server calls of a chart's query (see lib/slow.ts for why slow ones become jobs). */
const transport: Transport = {
  query: (q, cache, signal, queryId) => api.query(q, cache as CacheMode | undefined, signal, queryId),
  cancelQuery: (queryId) => api.cancelQuery(queryId),
  submit: (q, cache) => api.queryAsync(q, cache as CacheMode | undefined),
  job: (id) => api.job(id),
  result: (job) => api.jobResult(job),
  cancel: (id) => api.cancelJob(id),
};

/** Seconds since `since`, ticking while shown. */
function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 200);
    return () => window.clearInterval(t);
  }, []);
  return <span className="chart-elapsed" data-testid="chart-elapsed">{Math.max(0, (now - since) / 1000).toFixed(1)} s</span>;
}

/** A slow chart's job while it runs: its state, time and rows so far; the page stays usable. */
function JobProgress({ p }: { p: AsyncProgress }) {
  const secs = Math.round(p.elapsedMs / 1000);
  return (
    <div className="chart-async" data-job-id={p.jobId} data-job-state={p.state}>
      <Spin size="small" />{' '}
      <Typography.Text type="secondary">
        Slow query, running as a background job: {p.state} · {secs} s{p.rows > 0 ? ` · ${p.rows.toLocaleString()} rows` : ''}
      </Typography.Text>
    </div>
  );
}

/** A picture of a big number (it is HTML, not a canvas): title, value and comparison on white. */
function numberPng(title: string, el: HTMLElement): string | null {
  const value = el.querySelector('.big-number .value')?.textContent;
  if (!value) return null;
  const compare = el.querySelector('.big-number .compare')?.textContent ?? '';
  const canvas = document.createElement('canvas');
  const scale = 2;
  canvas.width = 480 * scale;
  canvas.height = 200 * scale;
  const g = canvas.getContext('2d');
  if (!g) return null;
  g.scale(scale, scale);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, 480, 200);
  g.fillStyle = '#374151';
  g.font = '600 16px system-ui, sans-serif';
  g.fillText(title, 20, 36);
  g.fillStyle = '#111827';
  g.font = '600 44px system-ui, sans-serif';
  g.fillText(value, 20, 110);
  g.fillStyle = '#6b7280';
  g.font = '14px system-ui, sans-serif';
  g.fillText(compare, 20, 150);
  return canvas.toDataURL('image/png');
}

/**
 * A dashboard tile: runs its query (and, for a big number, the previous period's), shows where
 * the answer came from and offers a refresh that skips the cache. While the query runs the
 * tile shows the time so far and a Cancel that stops it at the warehouse; a query slower than
 * 2 s continues as a job whose progress the tile shows (lib/slow.ts), so no chart holds up
 * another. Its menu downloads the data (CSV, through an export job) or the picture (PNG), shows
 * the query and its SQL, and opens the chart full screen.
 */
export default function ChartCard({ chart, query, refresh, style, onEdit, onDelete, onOutcome, viewProps, inline = false }: Props) {
  const { message: toast } = App.useApp();
  const [answer, setAnswer] = useState<QueryAnswer | null>(null);
  const [previous, setPrevious] = useState<QueryAnswer | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [cancelled, setCancelled] = useState<number | null>(null);
  const [startedAt, setStartedAt] = useState(() => Date.now());
  const [progress, setProgress] = useState<AsyncProgress | null>(null);
  const [queryId, setQueryId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'sql' | 'full' | null>(null);
  const [csvBusy, setCsvBusy] = useState(false);
  const body = useRef<HTMLDivElement>(null);
  const run = useRef(0);
  const stop = useRef<AbortController | null>(null);
  const userCancelled = useRef(false);
  useEffect(() => () => stop.current?.abort(), []);
  const queryKey = JSON.stringify(query);
  const outcome = useRef(onOutcome);
  outcome.current = onOutcome;

  const load = useCallback(async (cache?: CacheMode, round = 0) => {
    const n = ++run.current;
    stop.current?.abort(); // an earlier run is not waited for any more: its queries are cancelled
    const controller = new AbortController();
    stop.current = controller;
    userCancelled.current = false;
    const t0 = Date.now();
    setStartedAt(t0);
    setLoading(true);
    setError(null);
    setCancelled(null);
    setProgress(null);
    setQueryId(null);
    const options = {
      thresholdMs: inline ? NEVER : undefined,
      signal: controller.signal,
      onProgress: (p: AsyncProgress) => { if (n === run.current) setProgress(p); },
      onQuery: (id: string) => { if (n === run.current) setQueryId(id); },
    };
    try {
      const compare = chart.viz.type === 'number' && chart.viz.compare === 'previous_period' ? previousPeriodQuery(query) : null;
      const [a, p] = await Promise.all([runChartQuery(transport, query, cache, options),
        compare ? runChartQuery(transport, compare, cache, { signal: controller.signal, thresholdMs: inline ? NEVER : undefined }) : Promise.resolve(undefined)]);
      if (n !== run.current) return;
      setAnswer(a);
      setPrevious(compare ? p ?? null : undefined);
      outcome.current?.(round, { cache: a.cache, rollup: a.rollup });
    } catch (e) {
      if (n !== run.current) return;
      if (userCancelled.current) {
        setCancelled(Date.now() - t0);
        outcome.current?.(round, { cancelled: true });
      } else {
        setError(message(e));
        outcome.current?.(round, { error: true });
      }
    } finally {
      if (n === run.current) {
        setLoading(false);
        setProgress(null);
      }
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey, chart.viz.type, chart.viz.compare, inline]);

  useEffect(() => { load(); }, [load]);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    load(refresh.cache ?? 'no-cache', refresh.n);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refresh.n]);

  const cancel = () => {
    userCancelled.current = true;
    stop.current?.abort();
  };

  const downloadCsv = async () => {
    setCsvBusy(true);
    const key = `csv-${chart.id}`;
    toast.open({ key, type: 'loading', content: `Exporting “${chart.title}”…`, duration: 0 });
    try {
      const blob = await exportCsv({ submit: (j) => api.submitJob(j) as Promise<Job>, job: api.job, file: api.jobFile, cancel: api.cancelJob }, query, {
        onProgress: (j) => toast.open({ key, type: 'loading', content: `Exporting “${chart.title}”: ${j.state}${j.progress ? ` · ${j.progress.toLocaleString()} rows` : ''}`, duration: 0 }),
      });
      save(blob, fileName(chart.title, 'csv'));
      toast.open({ key, type: 'success', content: `“${chart.title}” downloaded as CSV`, duration: 3 });
    } catch (e) {
      toast.open({ key, type: 'error', content: `The CSV export failed: ${message(e)}`, duration: 6 });
    } finally {
      setCsvBusy(false);
    }
  };

  const png = (): string | null => {
    const el = body.current;
    if (!el) return null;
    const canvas = el.querySelector<HTMLElement>('.echart');
    const instance = canvas ? getInstanceByDom(canvas) : undefined;
    if (instance) return instance.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
    return chart.viz.type === 'number' ? numberPng(chart.title, el) : null;
  };
  const pictured = chart.viz.type !== 'table' && chart.viz.type !== 'pivot';
  const downloadPng = () => {
    const url = png();
    if (!url) { toast.error('This chart has nothing drawn to save yet'); return; }
    save(url, fileName(chart.title, 'png'));
  };

  const state = error ? 'error' : cancelled !== null ? 'cancelled' : progress ? 'async' : loading ? 'loading' : 'ready';
  const menu = [
    { key: 'csv', icon: <DownloadOutlined />, label: 'Download CSV', disabled: csvBusy, onClick: downloadCsv },
    pictured && { key: 'png', icon: <FileImageOutlined />, label: 'Download PNG', disabled: !answer || loading, onClick: downloadPng },
    { key: 'sql', icon: <CodeOutlined />, label: 'View query and SQL', onClick: () => setDialog('sql') },
    { key: 'full', icon: <FullscreenOutlined />, label: 'Full screen', disabled: !answer, onClick: () => setDialog('full') },
    (onEdit || onDelete) && { type: 'divider' as const },
    onEdit && { key: 'edit', icon: <EditOutlined />, label: 'Edit chart', onClick: onEdit },
    onDelete && { key: 'delete', icon: <DeleteOutlined />, label: 'Remove from dashboard', danger: true, onClick: onDelete },
  ].filter(Boolean) as NonNullable<MenuProps['items']>;
  const running = loading && cancelled === null && !error;
  return (
    <Card
      size="small"
      title={<span className="chart-title" title={chart.title}>{chart.title}</span>}
      style={style}
      className="chart-card"
      data-chart-title={chart.title}
      data-chart-id={chart.id}
      data-chart-type={chart.viz.type}
      data-chart-state={state}
      data-query-id={queryId ?? undefined}
      extra={
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
          {running && <Elapsed since={startedAt} />}
          {running && (
            <Tooltip title="Cancel the query (at the warehouse too)">
              <Button type="text" size="small" danger icon={<StopOutlined />} onClick={cancel} aria-label="Cancel query" className="chart-cancel" data-testid="chart-cancel" />
            </Tooltip>
          )}
          {answer && !error && !running && <CacheTag cache={answer.cache} ms={answer.timings?.totalMs} rollup={answer.rollup} />}
          <Tooltip title="Refresh (skip the cache)">
            <Button type="text" size="small" icon={<ReloadOutlined spin={loading && !!answer} />} onClick={() => load('no-cache')} aria-label="Refresh chart" className="chart-refresh" />
          </Tooltip>
          <Dropdown menu={{ items: menu }} trigger={['click']}><Button type="text" size="small" icon={<MoreOutlined />} aria-label="Chart menu" className="chart-menu" data-testid="chart-menu" /></Dropdown>
        </span>
      }
    >
      <div className="chart-body" ref={body}>
        {error ? <Alert type="error" showIcon message="This chart could not be drawn" description={error} className="chart-error" />
          : cancelled !== null ? (
            <div className="chart-cancelled" data-testid="chart-cancelled">
              <Typography.Text type="secondary">Query cancelled after {(cancelled / 1000).toFixed(1)} s.</Typography.Text>
              <Button size="small" onClick={() => load()} data-testid="chart-rerun">Run again</Button>
            </div>
          )
          : !answer ? (progress ? <JobProgress p={progress} /> : <Skeleton active paragraph={{ rows: 3 }} />)
          : <>{progress && <JobProgress p={progress} />}<ChartView viz={chart.viz} answer={answer} previous={previous} {...(viewProps ?? {})} /></>}
      </div>
      <Modal open={dialog === 'sql'} onCancel={() => setDialog(null)} footer={null} width={760} title={`${chart.title}: query and SQL`} destroyOnClose>
        <Tabs items={[
          { key: 'sql', label: 'SQL', children: answer?.sql ? (
            <div data-testid="chart-sql">
              <Descriptions size="small" column={2} items={[
                { key: 'ds', label: 'Data source', children: `${answer.dataSource} (${answer.dialect})` },
                { key: 'from', label: 'Answered from', children: <CacheTag cache={answer.cache} ms={answer.timings?.totalMs} rollup={answer.rollup} /> },
                { key: 'ms', label: 'Time', children: answer.timings ? `${Math.round(answer.timings.totalMs)} ms` : '—' },
                { key: 'rows', label: 'Rows', children: answer.rows.toLocaleString() },
              ]} />
              <pre className="chart-code" data-testid="chart-sql-text">{answer.sql}</pre>
            </div>
          ) : <Typography.Text type="secondary">The SQL is shown once the chart has an answer.</Typography.Text> },
          { key: 'query', label: 'Semantic query', children: <pre className="chart-code" data-testid="chart-query-text">{JSON.stringify(query, null, 2)}</pre> },
        ]} />
      </Modal>
      <Modal open={dialog === 'full'} onCancel={() => setDialog(null)} footer={null} width="94vw" style={{ top: 24 }} title={chart.title} destroyOnClose>
        <div className="chart-fullscreen" data-testid="chart-fullscreen">
          {answer && <ChartView viz={chart.viz} answer={answer} previous={previous} {...(viewProps ?? {})} />}
        </div>
      </Modal>
    </Card>
  );
}
