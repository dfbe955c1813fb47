import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Popconfirm, Progress, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { api, message, type Job, type JobSchedule, type JobState, type Me } from '../api';

const COLORS: Record<JobState, string> = {
  queued: 'default', running: 'processing', succeeded: 'success', failed: 'error', cancelled: 'warning',
};

function duration(job: Job): string {
  if (!job.startedAt) return '';
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  const s = Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function when(t: string | null): string {
  return t ? new Date(t).toLocaleString() : '';
}

/**
 * The jobs page: the user's jobs (an admin may show everyone's), refreshed while any is queued or
 * running, with cancel and download; and the recurring schedules (warm-ups) with delete.
 */
export default function JobsPage({ me }: { me: Me }) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const [schedules, setSchedules] = useState<JobSchedule[]>([]);
  const [all, setAll] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    try {
      const [j, s] = await Promise.all([api.jobs(all), api.schedules()]);
      setJobs(j);
      setSchedules(s);
      setError(null);
    } catch (e) {
      setError(message(e));
    } finally {
      setLoading(false);
    }
  }, [all]);

  useEffect(() => { load(); }, [load]);
  const active = jobs.some((j) => j.state === 'queued' || j.state === 'running');
  useEffect(() => {
    if (!active) return undefined;
    const t = window.setInterval(load, 2000);
    return () => window.clearInterval(t);
  }, [active, load]);

  const download = async (job: Job) => {
    try {
      const blob = await api.jobFile(job);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${job.kind}-${job.id}.csv${blob.type.includes('gzip') ? '.gz' : ''}`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(message(e));
    }
  };

  const cancel = async (job: Job) => {
    try {
      await api.cancelJob(job.id);
      await load();
    } catch (e) {
      setError(message(e));
    }
  };

  return (
    <div data-testid="jobs-page">
      <div className="page-title">
        <Typography.Title level={2}>Jobs</Typography.Title>
        <Space>
          {me.role === 'admin' && (
            <span><Switch size="small" checked={all} onChange={setAll} data-testid="jobs-all" /> everyone's</span>
          )}
          <Button icon={<ReloadOutlined />} onClick={load}>Refresh</Button>
        </Space>
      </div>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} closable onClose={() => setError(null)} />}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Table<Job>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={jobs}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: 'Job', dataIndex: 'id', render: (id: string) => <Typography.Text code copyable={{ text: id }}>{id.slice(0, 8)}</Typography.Text> },
            { title: 'Kind', dataIndex: 'kind' },
            ...(all ? [{ title: 'Owner', dataIndex: 'owner' }] : []),
            { title: 'State', dataIndex: 'state', render: (s: JobState, j: Job) => (
              <Tooltip title={j.error?.message ?? undefined}><Tag color={COLORS[s]} data-testid={`job-state-${j.id}`}>{s}</Tag></Tooltip>
            ) },
            { title: 'Progress', render: (_: unknown, j: Job) => j.state === 'running'
              ? <Progress percent={99} status="active" showInfo={false} size="small" format={() => `${j.progress} rows`} />
              : j.result?.rows != null ? `${j.result.rows.toLocaleString()} ${j.kind === 'warmup' ? 'queries' : 'rows'}` : '' },
            { title: 'Created', dataIndex: 'createdAt', render: when },
            { title: 'Took', render: (_: unknown, j: Job) => duration(j) },
            { title: 'Attempts', dataIndex: 'attempts' },
            { title: '', render: (_: unknown, j: Job) => (
              <Space>
                {j.links.cancel && (
                  <Popconfirm title="Cancel this job?" onConfirm={() => cancel(j)}>
                    <Button size="small" danger icon={<StopOutlined />}>Cancel</Button>
                  </Popconfirm>
                )}
                {(j.links.download || j.links.result) && (
                  <Button size="small" icon={<DownloadOutlined />} onClick={() => download(j)}>CSV</Button>
                )}
              </Space>
            ) },
          ]}
        />
      </Card>
      <Typography.Title level={4}>Schedules</Typography.Title>
      <Card size="small">
        <Table<JobSchedule>
          rowKey="id"
          size="small"
          dataSource={schedules}
          pagination={false}
          locale={{ emptyText: 'No recurring jobs. A dashboard\u2019s settings can keep it warm on a schedule.' }}
          columns={[
            { title: 'Kind', dataIndex: 'kind' },
            { title: 'When', dataIndex: 'cron', render: (c: string | null, s: JobSchedule) => s.keepWarm
              ? <Typography.Text>keep warm (before the cache expires)</Typography.Text> : <Typography.Text code>{c}</Typography.Text> },
            { title: 'Time zone', dataIndex: 'timeZone' },
            { title: 'Owner', dataIndex: 'owner' },
            { title: 'Last run', dataIndex: 'lastRunAt', render: when },
            { title: '', render: (_: unknown, s: JobSchedule) => (
              <Popconfirm title="Delete this schedule?" onConfirm={async () => {
                try { await api.deleteSchedule(s.id); await load(); } catch (e) { setError(message(e)); }
              }}>
                <Button size="small" danger>Delete</Button>
              </Popconfirm>
            ) },
          ]}
        />
      </Card>
    </div>
  );
}
