import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { App, Breadcrumb, Button, Dropdown, Empty, Result, Skeleton, Space, Typography } from 'antd';
import { DownloadOutlined, MailOutlined, MoreOutlined, PlusOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import DashboardSettings from '../components/DashboardSettings';
import ChartCard from '../components/ChartCard';
import FilterBar from '../components/FilterBar';
import CrossFilterBar from '../components/CrossFilterBar';
import { ChartSelect, useCrossFilter } from '../lib/crossfilter';
import { useMeta } from '../meta';
import { api, message, type JobSchedule, type Me } from '../api';
import { applyDashboardFilters, type FilterState } from '../lib/query';
import type { Chart, Dashboard } from '../lib/types';

function download(name: string, json: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * A dashboard. With `embed` (the server's headless renders) it shows the charts alone, or with
 * `?chart=N` that one chart, without the page's buttons.
 */
export default function DashboardPage({ me, embed = false }: { me: Me; embed?: boolean }) {
  const { id } = useParams();
  const [search] = useSearchParams();
  const only = embed ? Number(search.get('chart') ?? 0) : 0;
  const navigate = useNavigate();
  const { modal, message: toast } = App.useApp();
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<FilterState>({ values: {} });
  const [refreshAll, setRefreshAll] = useState(0);
  const [settings, setSettings] = useState(false);
  const [warm, setWarm] = useState<JobSchedule | null>(null);
  const canEdit = me.role !== 'viewer';

  // the dashboard's info shows its warm-up (one the user can see) and when it last ran
  useEffect(() => {
    if (settings) return;
    api.schedules().then((all) => setWarm(all.find((s) => s.kind === 'warmup'
      && (s.parameters as { dashboardId?: number })?.dashboardId === Number(id)) ?? null), () => setWarm(null));
  }, [id, settings]);

  const load = useCallback(() => {
    api.dashboard(Number(id)).then((d) => {
      setDashboard(d);
      setState((s) => (s.dateRange ? s : { ...s, dateRange: d.filters.dateRange ?? null }));
      document.title = `${d.name} · Strata`;
    }, (e) => setError(message(e)));
  }, [id]);
  useEffect(load, [load]);

  const cf = useCrossFilter(useMeta().meta);
  const queries = useMemo(() => (dashboard?.charts ?? []).map((c) => cf.query(c.id, applyDashboardFilters(c.query, dashboard!.filters, state))), [dashboard, state, cf]);

  if (error) return <Result status="warning" title="This dashboard could not be opened" subTitle={error} extra={<Button onClick={() => navigate('/dashboards')}>All dashboards</Button>} />;
  if (!dashboard) return <Skeleton active />;

  const remove = (c: Chart) => modal.confirm({
    title: `Remove “${c.title}”?`,
    content: 'The chart is deleted from this dashboard.',
    okText: 'Remove', okButtonProps: { danger: true },
    onOk: async () => { await api.deleteChart(c.id!); toast.success('Chart removed'); load(); },
  });

  const charts = (dashboard.charts ?? []).filter((c) => !only || c.id === only);
  if (embed) {
    return (
      <div data-testid="dashboard" data-dashboard-id={dashboard.id}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>{only && charts[0] ? charts[0].title : dashboard.name}</Typography.Title>
        {charts.length === 0 ? <Empty description="No charts" data-empty-dashboard /> : (
          <div className="dash-grid">
            {charts.map((c) => (
              <ChartCard key={c.id} chart={c} query={queries[(dashboard.charts ?? []).indexOf(c)]} refreshAll={0}
                style={only ? { gridColumn: '1 / -1', gridRow: 'span 8' } : c.layout ? { gridColumn: `${c.layout.x + 1} / span ${c.layout.w}`, gridRow: `${c.layout.y + 1} / span ${c.layout.h}` } : { gridColumn: 'span 6', gridRow: 'span 4' }} />
            ))}
          </div>
        )}
      </div>
    );
  }

  return (
    <div data-testid="dashboard" data-dashboard-id={dashboard.id}>
      <Breadcrumb items={[{ title: <a onClick={() => navigate('/dashboards')}>Dashboards</a> }, { title: dashboard.name }]} style={{ marginBottom: 8 }} />
      <div className="page-title">
        <div>
          <Typography.Title level={2}>{dashboard.name}</Typography.Title>
          {dashboard.description && <Typography.Text type="secondary">{dashboard.description}</Typography.Text>}
          {warm && <div><Typography.Text type="secondary" data-testid="dashboard-warmup">
            {warm.keepWarm ? 'Kept warm' : `Warmed on a schedule (${warm.cron})`} · last warm-up: {warm.lastRunAt ? new Date(warm.lastRunAt).toLocaleString() : 'not yet'}
          </Typography.Text></div>}
        </div>
        <Space>
          {canEdit && <Button icon={<SettingOutlined />} onClick={() => setSettings(true)} data-testid="dashboard-settings">Settings</Button>}
          <Button icon={<DownloadOutlined />} onClick={async () => download(`${dashboard.name}.json`, await api.exportDashboard(dashboard.id))}>Export</Button>
          {canEdit && <Button icon={<PlusOutlined />} onClick={() => navigate(`/charts/new?dashboard=${dashboard.id}`)}>Add chart</Button>}
          <Button type="primary" icon={<ReloadOutlined />} onClick={() => setRefreshAll((n) => n + 1)} data-testid="refresh-all">Refresh all</Button>
          {canEdit && (
            <Dropdown trigger={['click']} menu={{ items: [{ key: 'schedule', icon: <MailOutlined />, label: 'Schedule this dashboard', onClick: () => navigate(`/reports?dashboardId=${dashboard.id}&name=${encodeURIComponent(dashboard.name)}`) }] }}>
              <Button icon={<MoreOutlined />} aria-label="More" data-testid="dashboard-menu" />
            </Dropdown>
          )}
        </Space>
      </div>
      {(dashboard.filters.timeDimension || (dashboard.filters.dimensions ?? []).length > 0) && (
        <FilterBar filters={dashboard.filters} state={state} onChange={setState} />
      )}
      <DashboardSettings dashboard={dashboard} open={settings} onCancel={() => setSettings(false)} onSave={async (v) => {
        try {
          const d = await api.updateDashboard(dashboard.id, v);
          setDashboard(d);
          setState((s) => ({ ...s, dateRange: d.filters.dateRange ?? s.dateRange ?? null }));
          setSettings(false);
          toast.success('Dashboard saved');
        } catch (e) {
          toast.error(message(e));
        }
      }} />
      <CrossFilterBar cf={cf} charts={dashboard.charts ?? []} queryOf={(c) => applyDashboardFilters(c.query, dashboard.filters, state)} preferred={dashboard.filters.dimensions} />
      {(dashboard.charts ?? []).length === 0 ? (
        <Empty description="No charts yet" data-empty-dashboard>{canEdit && <Button type="primary" onClick={() => navigate(`/charts/new?dashboard=${dashboard.id}`)}>Build a chart</Button>}</Empty>
      ) : (
        <div className="dash-grid">
          {dashboard.charts!.map((c, i) => (
            <ChartSelect.Provider key={c.id} value={cf.handler(c.id!, c.title)}><ChartCard
              key={c.id}
              chart={c}
              query={queries[i]}
              refreshAll={refreshAll}
              style={c.layout ? { gridColumn: `${c.layout.x + 1} / span ${c.layout.w}`, gridRow: `${c.layout.y + 1} / span ${c.layout.h}` } : { gridColumn: 'span 6', gridRow: 'span 4' }}
              onEdit={canEdit ? () => navigate(`/charts/${c.id}/edit`) : undefined}
              onDelete={canEdit ? () => remove(c) : undefined}
            /></ChartSelect.Provider>
          ))}
        </div>
      )}
    </div>
  );
}
