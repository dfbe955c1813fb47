import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Dropdown, Skeleton, Spin, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, MoreOutlined, ReloadOutlined } from '@ant-design/icons';
import ChartView from './ChartView';
import { api, message, type CacheMode } from '../api';
import { formatAge } from '../lib/format';
import { previousPeriodQuery } from '../lib/query';
import { runChartQuery, type AsyncProgress, type Transport } from '../lib/slow';
import type { CacheInfo, Chart, QueryAnswer, SemanticQuery } from '../lib/types';

interface Props {
  chart: Chart;
  /** the chart's query with the dashboard's filters applied */
  query: SemanticQuery;
  /** bumped by "refresh all": the next run skips the cache */
  refreshAll: number;
  style?: React.CSSProperties;
  onEdit?: () => void;
  onDelete?: () => void;
}

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
  query: (q, cache, signal) => api.query(q, cache as CacheMode | undefined, signal),
  submit: (q, cache) => api.queryAsync(q, cache as CacheMode | undefined),
  job: (id) => api.job(id),
  result: (job) => api.jobResult(job),
  cancel: (id) => api.cancelJob(id),
};

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

/**
 * A dashboard tile: runs its query (and, for a big number, the previous period's), shows where
 * the answer came from and offers a refresh that skips the cache. A query slower than 2 s
 * continues as a job whose progress the tile shows (lib/slow.ts), so no chart holds up another.
 */
export default function ChartCard({ chart, query, refreshAll, style, onEdit, onDelete }: Props) {
  const [answer, setAnswer] = useState<QueryAnswer | null>(null);
  const [previous, setPrevious] = useState<QueryAnswer | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [progress, setProgress] = useState<AsyncProgress | null>(null);
  const run = useRef(0);
  const stop = useRef<AbortController | null>(null);
  useEffect(() => () => stop.current?.abort(), []);
  const queryKey = JSON.stringify(query);

  const load = useCallback(async (cache?: CacheMode) => {
    const n = ++run.current;
    stop.current?.abort(); // an earlier run's job is not waited for any more
    const controller = new AbortController();
    stop.current = controller;
    setLoading(true);
    setError(null);
    setProgress(null);
    const options = { signal: controller.signal, onProgress: (p: AsyncProgress) => { if (n === run.current) setProgress(p); } };
    try {
      const compare = chart.viz.type === 'number' && chart.viz.compare === 'previous_period' ? previousPeriodQuery(query) : null;
      const [a, p] = await Promise.all([runChartQuery(transport, query, cache, options),
        compare ? runChartQuery(transport, compare, cache, { signal: controller.signal }) : Promise.resolve(undefined)]);
      if (n !== run.current) return;
      setAnswer(a);
      setPrevious(compare ? p ?? null : undefined);
    } catch (e) {
      if (n === run.current) setError(message(e));
    } finally {
      if (n === run.current) {
        setLoading(false);
        setProgress(null);
      }
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey, chart.viz.type, chart.viz.compare]);

  useEffect(() => { load(); }, [load]);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    load('no-cache');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refreshAll]);

  const state = error ? 'error' : progress ? 'async' : loading ? 'loading' : 'ready';
  const menu = [
    onEdit && { key: 'edit', icon: <EditOutlined />, label: 'Edit chart', onClick: onEdit },
    onDelete && { key: 'delete', icon: <DeleteOutlined />, label: 'Remove from dashboard', danger: true, onClick: onDelete },
  ].filter(Boolean) as { key: string }[];
  return (
    <Card
      size="small"
      title={chart.title}
      style={style}
      className="chart-card"
      data-chart-title={chart.title}
      data-chart-type={chart.viz.type}
      data-chart-state={state}
      extra={
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
          {answer && !error && <CacheTag cache={answer.cache} ms={answer.timings?.totalMs} rollup={answer.rollup} />}
          <Tooltip title="Refresh (skip the cache)">
            <Button type="text" size="small" icon={<ReloadOutlined spin={loading && !!answer} />} onClick={() => load('no-cache')} aria-label="Refresh chart" className="chart-refresh" />
          </Tooltip>
          {menu.length > 0 && <Dropdown menu={{ items: menu }} trigger={['click']}><Button type="text" size="small" icon={<MoreOutlined />} aria-label="Chart menu" /></Dropdown>}
        </span>
      }
    >
      <div className="chart-body">
        {error ? <Alert type="error" showIcon message="This chart could not be drawn" description={error} className="chart-error" />
          : !answer ? (progress ? <JobProgress p={progress} /> : <Skeleton active paragraph={{ rows: 3 }} />)
          : <>{progress && <JobProgress p={progress} />}<ChartView viz={chart.viz} answer={answer} previous={previous} /></>}
      </div>
    </Card>
  );
}
