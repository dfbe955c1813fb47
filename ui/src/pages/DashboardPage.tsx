import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, App, Breadcrumb, Button, Dropdown, Empty, Input, Modal, Result, Select, Skeleton, Space, Tooltip, Typography } from 'antd';
import {
  DownloadOutlined, DragOutlined, FileTextOutlined, LinkOutlined, MailOutlined, MoreOutlined, PlusOutlined, ReloadOutlined, SaveOutlined, SettingOutlined,
} from '@ant-design/icons';
import { Responsive, WidthProvider, type Layout as GridLayout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import DashboardSettings from '../components/DashboardSettings';
import ChartCard, { type RefreshRound } from '../components/ChartCard';
import FilterBar from '../components/FilterBar';
import MarkdownTile, { MarkdownTileEditor } from '../components/MarkdownTile';
import CrossFilterBar from '../components/CrossFilterBar';
import { ChartSelect, useCrossFilter } from '../lib/crossfilter';
import { useMeta } from '../meta';
import { api, message, type JobSchedule, type Me } from '../api';
import { applyDashboardFilters, type FilterState } from '../lib/query';
import { decodeView, encodeView, REFRESH_MINUTES, sameFilters } from '../lib/dashboardUrl';
import { changedLayouts, gridItems, stacked, withLayouts, type GridItem } from '../lib/dashLayout';
import { describeRefresh, type RefreshOutcome } from '../lib/chartActions';
import type { Chart, Dashboard, SemanticQuery } from '../lib/types';

/** A markdown tile: text, no query. */
const isTile = (c: Chart) => c.viz.type === 'markdown';

const Grid = WidthProvider(Responsive);
/** Below this width charts stack in one column (and the layout cannot be edited). */
const NARROW = 768;

function download(name: string, json: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** Copies `text`; false where the browser refuses (no clipboard outside a secure context). */
async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A dashboard. Its filters and auto-refresh interval live in the URL (lib/dashboardUrl.ts), so
 * a reload keeps them and a copied link reproduces the view. Editors move and resize charts on
 * the grid (react-grid-layout) and save the layout with the dashboard. With `embed` (the
 * server's headless renders) it shows the charts alone, or with `?chart=N` that one chart,
 * without the page's buttons.
 */
export default function DashboardPage({ me, embed = false }: { me: Me; embed?: boolean }) {
  const { id } = useParams();
  const [search, setSearch] = useSearchParams();
  const only = embed ? Number(search.get('chart') ?? 0) : 0;
  const navigate = useNavigate();
  const { modal, message: toast } = App.useApp();
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<FilterState>({ values: {} });
  const [refreshMinutes, setRefreshMinutes] = useState(0);
  const [linkProblems, setLinkProblems] = useState<string[]>([]);
  const [round, setRound] = useState<RefreshRound>({ n: 0 });
  const [summary, setSummary] = useState<{ text: string; at: Date; auto: boolean } | null>(null);
  const [settings, setSettings] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [editing, setEditing] = useState(false);
  const [items, setItems] = useState<GridItem[]>([]);
  const [savingLayout, setSavingLayout] = useState(false);
  const [narrow, setNarrow] = useState(false);
  const [warm, setWarm] = useState<JobSchedule | null>(null);
  const [tileEditor, setTileEditor] = useState<{ chart?: Chart } | null>(null);
  const viewRead = useRef<string | null>(null);
  const canEdit = me.role !== 'viewer';

  // the dashboard's info shows its warm-up (one the user can see) and when it last ran
  useEffect(() => {
    if (settings || embed) return;
    api.schedules().then((all) => setWarm(all.find((s) => s.kind === 'warmup'
      && (s.parameters as { dashboardId?: number })?.dashboardId === Number(id)) ?? null), () => setWarm(null));
  }, [id, settings, embed]);

  const load = useCallback(() => {
    api.dashboard(Number(id)).then((d) => {
      setDashboard(d);
      setItems(gridItems(d.charts ?? []));
      document.title = `${d.name} · Strata`;
      // the view comes from the URL once per dashboard; the dashboard's defaults fill the rest
      if (viewRead.current !== String(d.id)) {
        viewRead.current = String(d.id);
        const decoded = decodeView(new URLSearchParams(window.location.search), d.filters, { values: {}, dateRange: d.filters.dateRange ?? null });
        setState(decoded.view.filters);
        setRefreshMinutes(decoded.view.refreshMinutes);
        setLinkProblems(decoded.problems);
      }
    }, (e) => setError(message(e)));
  }, [id]);
  useEffect(load, [load]);

  // the view goes to the URL as it changes (replacing the history entry: Back leaves the
  // dashboard); the dashboard's own defaults leave the URL plain
  useEffect(() => {
    if (embed || !dashboard || viewRead.current !== String(dashboard.id)) return;
    const plain = refreshMinutes === 0 && sameFilters(state, { values: {}, dateRange: dashboard.filters.dateRange ?? null });
    const next = encodeView(new URLSearchParams(window.location.search), plain ? { filters: { values: {} }, refreshMinutes: 0 } : { filters: state, refreshMinutes });
    if (next.toString() !== new URLSearchParams(window.location.search).toString()) setSearch(next, { replace: true });
  }, [state, refreshMinutes, dashboard, embed, setSearch]);

  // auto-refresh: every N minutes each chart asks again through the cache (fresh answers stay cached)
  useEffect(() => {
    if (embed || refreshMinutes <= 0) return;
    const t = window.setInterval(() => setRound((r) => ({ n: r.n + 1, cache: 'on', auto: true })), refreshMinutes * 60_000);
    return () => window.clearInterval(t);
  }, [refreshMinutes, embed]);

  // what each chart's run of the current refresh round did, summed up when all have answered
  const outcomes = useRef<{ n: number; got: Map<number, RefreshOutcome> }>({ n: 0, got: new Map() });
  const chartCount = (dashboard?.charts ?? []).filter((c) => !isTile(c)).length;
  const record = useCallback((chartId: number, n: number, o: RefreshOutcome) => {
    if (n === 0) return;
    if (outcomes.current.n !== n) outcomes.current = { n, got: new Map() };
    outcomes.current.got.set(chartId, o);
    if (outcomes.current.got.size === chartCount) {
      const text = describeRefresh([...outcomes.current.got.values()]);
      const auto = !!round.auto;
      setSummary({ text, at: new Date(), auto });
      if (!auto) toast.success(text);
    }
  }, [chartCount, round, toast]);

  const cf = useCrossFilter(useMeta().meta);
  const queries = useMemo(() => (dashboard?.charts ?? []).map((c) => (isTile(c) ? ({} as SemanticQuery) : cf.query(c.id, applyDashboardFilters(c.query, dashboard!.filters, state)))), [dashboard, state, cf]);

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
            {charts.map((c) => {
              const style = only ? { gridColumn: '1 / -1', gridRow: 'span 8' } : c.layout ? { gridColumn: `${c.layout.x + 1} / span ${c.layout.w}`, gridRow: `${c.layout.y + 1} / span ${c.layout.h}` } : { gridColumn: 'span 6', gridRow: 'span 4' };
              return isTile(c) ? <MarkdownTile key={c.id} chart={c} style={style} />
                : <ChartCard key={c.id} chart={c} query={queries[(dashboard.charts ?? []).indexOf(c)]} refresh={{ n: 0 }} style={style} inline />;
            })}
          </div>
        )}
      </div>
    );
  }

  const refreshAll = () => {
    outcomes.current = { n: round.n + 1, got: new Map() };
    setSummary(null);
    setRound({ n: round.n + 1, cache: 'no-cache' });
  };

  const saveLayout = async () => {
    const changed = changedLayouts(dashboard.charts ?? [], items);
    setSavingLayout(true);
    try {
      for (const { chart, layout } of changed) {
        await api.updateChart(chart.id!, { title: chart.title, query: chart.query, viz: chart.viz, layout });
      }
      setDashboard({ ...dashboard, charts: withLayouts(dashboard.charts ?? [], items) });
      setEditing(false);
      toast.success(changed.length ? `Layout saved (${changed.length} chart${changed.length === 1 ? '' : 's'} moved or resized)` : 'Layout unchanged');
    } catch (e) {
      toast.error(`The layout could not be saved: ${message(e)}`);
    } finally {
      setSavingLayout(false);
    }
  };
  const discardLayout = () => {
    setItems(gridItems(dashboard.charts ?? []));
    setEditing(false);
  };

  const link = window.location.href;
  const menu = [
    { key: 'export', icon: <DownloadOutlined />, label: 'Export as JSON', onClick: async () => download(`${dashboard.name}.json`, await api.exportDashboard(dashboard.id)) },
    canEdit && { key: 'schedule', icon: <MailOutlined />, label: 'Schedule this dashboard', onClick: () => navigate(`/reports?dashboardId=${dashboard.id}&name=${encodeURIComponent(dashboard.name)}`) },
  ].filter(Boolean) as { key: string }[];

  return (
    <div data-testid="dashboard" data-dashboard-id={dashboard.id} data-refresh-round={round.n}>
      <Breadcrumb items={[{ title: <a onClick={() => navigate('/dashboards')}>Dashboards</a> }, { title: dashboard.name }]} style={{ marginBottom: 8 }} />
      <div className="page-title">
        <div>
          <Typography.Title level={2}>{dashboard.name}</Typography.Title>
          {dashboard.description && <Typography.Text type="secondary">{dashboard.description}</Typography.Text>}
          {warm && <div><Typography.Text type="secondary" data-testid="dashboard-warmup">
            {warm.keepWarm ? 'Kept warm' : `Warmed on a schedule (${warm.cron})`} · last warm-up: {warm.lastRunAt ? new Date(warm.lastRunAt).toLocaleString() : 'not yet'}
          </Typography.Text></div>}
        </div>
        {editing ? (
          <Space wrap>
            <Typography.Text type="secondary">Drag charts by their title, resize them by their corner.</Typography.Text>
            <Button onClick={discardLayout} data-testid="discard-layout">Discard</Button>
            <Button type="primary" icon={<SaveOutlined />} loading={savingLayout} onClick={saveLayout} data-testid="save-layout">Save layout</Button>
          </Space>
        ) : (
          <div className="dash-toolbar">
            {canEdit && <Button icon={<SettingOutlined />} onClick={() => setSettings(true)} data-testid="dashboard-settings">Settings</Button>}
            {canEdit && (dashboard.charts ?? []).length > 0 && (
              <Tooltip title={narrow ? 'Widen the window to arrange charts' : undefined}>
                <Button icon={<DragOutlined />} disabled={narrow} onClick={() => setEditing(true)} data-testid="edit-layout">Edit layout</Button>
              </Tooltip>
            )}
            {canEdit && <Button icon={<PlusOutlined />} onClick={() => navigate(`/charts/new?dashboard=${dashboard.id}`)}>Add chart</Button>}
            {canEdit && <Button icon={<FileTextOutlined />} onClick={() => setTileEditor({})} data-testid="add-text">Add text</Button>}
            <Button icon={<LinkOutlined />} onClick={() => setSharing(true)} data-testid="copy-link">Copy link</Button>
            <Select
              value={refreshMinutes}
              onChange={setRefreshMinutes}
              style={{ width: 150 }}
              aria-label="Auto-refresh"
              data-testid="auto-refresh"
              options={REFRESH_MINUTES.map((m) => ({ value: m, label: m === 0 ? 'No auto-refresh' : `Every ${m} min` }))}
            />
            <Button type="primary" icon={<ReloadOutlined />} onClick={refreshAll} data-testid="refresh-all">Refresh all</Button>
            <Dropdown trigger={['click']} menu={{ items: menu }}>
              <Button icon={<MoreOutlined />} aria-label="More" data-testid="dashboard-menu" />
            </Dropdown>
          </div>
        )}
      </div>
      {linkProblems.length > 0 && (
        <Alert type="warning" showIcon closable onClose={() => setLinkProblems([])} style={{ marginBottom: 12 }} data-testid="link-problems"
          message="Part of this link could not be used" description={<ul style={{ margin: 0, paddingLeft: 18 }}>{linkProblems.map((p) => <li key={p}>{p}</li>)}</ul>} />
      )}
      {summary && (
        <div className="dash-refresh-summary">
          <Typography.Text type="secondary" data-testid="refresh-summary">
            {summary.auto ? 'Auto-refreshed' : 'Refreshed'} at {summary.at.toLocaleTimeString()}: {summary.text}
          </Typography.Text>
        </div>
      )}
      {(dashboard.filters.timeDimension || (dashboard.filters.dimensions ?? []).length > 0) && (
        <FilterBar filters={dashboard.filters} state={state} onChange={setState} />
      )}
      <DashboardSettings dashboard={dashboard} open={settings} onCancel={() => setSettings(false)} onSave={async (v) => {
        try {
          const d = await api.updateDashboard(dashboard.id, v);
          setDashboard(d);
          setItems(gridItems(d.charts ?? []));
          setState((s) => ({ ...s, dateRange: d.filters.dateRange ?? s.dateRange ?? null }));
          setSettings(false);
          toast.success('Dashboard saved');
        } catch (e) {
          toast.error(message(e));
        }
      }} />
      <MarkdownTileEditor
        open={!!tileEditor}
        initial={tileEditor?.chart ? { title: tileEditor.chart.title, text: tileEditor.chart.viz.text ?? '' } : undefined}
        onCancel={() => setTileEditor(null)}
        onSave={async (v) => {
          try {
            const c = tileEditor?.chart;
            // a tile has no query: null, as the server stores it
            const noQuery = null as unknown as SemanticQuery;
            if (c) {
              await api.updateChart(c.id!, { title: v.title, query: noQuery, viz: { type: 'markdown', text: v.text }, layout: c.layout });
            } else {
              const bottom = items.reduce((m, g) => Math.max(m, g.y + g.h), 0);
              await api.addChart({ dashboardId: dashboard.id, title: v.title, query: noQuery, viz: { type: 'markdown', text: v.text }, layout: { x: 0, y: bottom, w: 6, h: 2 } });
            }
            setTileEditor(null);
            toast.success(c ? 'Text saved' : 'Text tile added');
            load();
          } catch (e) {
            toast.error(message(e));
            throw e;
          }
        }}
      />
      <Modal open={sharing} onCancel={() => setSharing(false)} footer={null} title="Link to this view" destroyOnClose>
        <Typography.Paragraph type="secondary">The link opens this dashboard with its current filters{refreshMinutes ? ' and auto-refresh' : ''}.</Typography.Paragraph>
        <Space.Compact style={{ width: '100%' }}>
          <Input readOnly value={link} data-testid="share-link" onFocus={(e) => e.target.select()} />
          <Button type="primary" icon={<LinkOutlined />} data-testid="share-copy" onClick={async () => {
            if (await copy(link)) {
              toast.success('Link copied');
              setSharing(false);
            } else {
              toast.info('Select the link and copy it (the browser did not allow copying here)');
            }
          }}>Copy</Button>
        </Space.Compact>
      </Modal>
      <CrossFilterBar cf={cf} charts={(dashboard.charts ?? []).filter((c) => !isTile(c))} queryOf={(c) => applyDashboardFilters(c.query, dashboard.filters, state)} preferred={dashboard.filters.dimensions} />
      {(dashboard.charts ?? []).length === 0 ? (
        <Empty description="No charts yet" data-empty-dashboard>{canEdit && <Button type="primary" onClick={() => navigate(`/charts/new?dashboard=${dashboard.id}`)}>Build a chart</Button>}</Empty>
      ) : (
        <Grid
          className={`dash-rgl${editing ? ' editing' : ''}`}
          layouts={{ lg: items, xs: stacked(items) }}
          breakpoints={{ lg: NARROW, xs: 0 }}
          cols={{ lg: 12, xs: 1 }}
          rowHeight={76}
          margin={[16, 16]}
          containerPadding={[0, 0]}
          isDraggable={editing && !narrow}
          isResizable={editing && !narrow}
          draggableHandle=".ant-card-head"
          draggableCancel=".ant-card-extra, .ant-card-extra *"
          compactType="vertical"
          onBreakpointChange={(bp: string) => setNarrow(bp !== 'lg')}
          onLayoutChange={(current: GridLayout[]) => {
            if (editing && !narrow) setItems(current.map(({ i, x, y, w, h, minW, minH }) => ({ i, x, y, w, h, minW, minH })));
          }}
        >
          {dashboard.charts!.map((c, i) => (
            <div key={String(c.id)} data-grid-chart={c.id}>
              {isTile(c) ? (
                <MarkdownTile chart={c} onEdit={canEdit ? () => setTileEditor({ chart: c }) : undefined} onDelete={canEdit ? () => remove(c) : undefined} />
              ) : <ChartSelect.Provider value={cf.handler(c.id!, c.title)}><ChartCard
                chart={c}
                query={queries[i]}
                refresh={round}
                onOutcome={(n, o) => record(c.id!, n, o)}
                onEdit={canEdit ? () => navigate(`/charts/${c.id}/edit`) : undefined}
                onDelete={canEdit ? () => remove(c) : undefined}
              /></ChartSelect.Provider>}
            </div>
          ))}
        </Grid>
      )}
    </div>
  );
}
