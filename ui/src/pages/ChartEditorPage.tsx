import { useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Card, Col, DatePicker, Empty, Form, Input, InputNumber, Radio, Row, Select, Space, Spin, Switch, Tabs, Tooltip, Typography } from 'antd';
import { AreaChartOutlined, BarChartOutlined, DeleteOutlined, DotChartOutlined, FieldNumberOutlined, FundOutlined, FunnelPlotOutlined, HeatMapOutlined, LineChartOutlined, PieChartOutlined, PlusOutlined, SaveOutlined, TableOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import ChartView from '../components/ChartView';
import { CacheTag } from '../components/ChartCard';
import { api, message, type CompiledSql, type Me } from '../api';
import { useMeta } from '../meta';
import { buildQuery, EMPTY_EDITOR, fromChart, membersOf, type EditorState } from '../lib/editor';
import { previousPeriodQuery } from '../lib/query';
import { plural } from '../lib/format';
import { defaultGrain } from '../lib/grain';
import { GRANULARITIES, type Chart, type Dashboard, type MemberMeta, type QueryAnswer, type VizType } from '../lib/types';

const VIZ: { type: VizType; label: string; icon: React.ReactNode }[] = [
  { type: 'bar', label: 'Bar', icon: <BarChartOutlined /> },
  { type: 'line', label: 'Line', icon: <LineChartOutlined /> },
  { type: 'area', label: 'Area', icon: <AreaChartOutlined /> },
  { type: 'pie', label: 'Pie', icon: <PieChartOutlined /> },
  { type: 'number', label: 'Number', icon: <FieldNumberOutlined /> },
  { type: 'table', label: 'Table', icon: <TableOutlined /> },
  { type: 'pivot', label: 'Pivot', icon: <TableOutlined /> },
  { type: 'scatter', label: 'Scatter', icon: <DotChartOutlined /> },
  { type: 'heatmap', label: 'Heatmap', icon: <HeatMapOutlined /> },
  { type: 'combo', label: 'Bar + line', icon: <FundOutlined /> },
  { type: 'funnel', label: 'Funnel', icon: <FunnelPlotOutlined /> },
];

/** What each chart type draws from the query, shown under the picker. */
const VIZ_HINT: Partial<Record<VizType, string>> = {
  scatter: 'one point per row: x is the first measure, y the second, named by the first dimension',
  heatmap: 'x is the time dimension (or the first dimension), y the next dimension, colour the first measure',
  combo: 'bars for the first measure, a line on a second axis for the second',
  funnel: 'one stage per value of the first dimension, sized by the first measure',
};

const OPERATORS = ['equals', 'notEquals', 'contains', 'notContains', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet'];

function memberOption(m: MemberMeta) {
  return { value: m.name, label: <Tooltip title={m.description} placement="right"><span>{m.title} <Typography.Text type="secondary" style={{ fontSize: 11 }}>{m.name}</Typography.Text></span></Tooltip>, title: m.title, search: `${m.title} ${m.name}`.toLowerCase() };
}

const filterOption = (input: string, o?: { search?: string }) => (o?.search ?? '').includes(input.toLowerCase());

export default function ChartEditorPage({ me }: { me: Me }) {
  const { id } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { message: toast } = App.useApp();
  const { meta } = useMeta();
  const [s, setS] = useState<EditorState>(EMPTY_EDITOR);
  const [dashboards, setDashboards] = useState<Dashboard[]>([]);
  const [dashboardId, setDashboardId] = useState<number | null>(params.get('dashboard') ? Number(params.get('dashboard')) : null);
  const [answer, setAnswer] = useState<QueryAnswer | null>(null);
  const [previous, setPrevious] = useState<QueryAnswer | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [sql, setSql] = useState<CompiledSql | null>(null);
  const [sqlError, setSqlError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [tab, setTab] = useState('preview');
  const [width, setWidth] = useState<number | null>(null);
  const canEdit = me.role !== 'viewer';

  useEffect(() => { api.dashboards().then(setDashboards, () => undefined); }, []);
  useEffect(() => {
    if (!id || !meta) return;
    api.chart(Number(id)).then((c) => { setS(fromChart(c.title, c.query, c.viz, meta)); setDashboardId(c.dashboardId ?? null); setWidth(c.layout?.w ?? null); }, (e) => setError(message(e)));
  }, [id, meta]);

  // "Make a chart" from a SQL Lab result: the builder starts from that result's members
  const prefill = (useLocation().state as { prefill?: { title: string; query: Chart['query']; viz: Chart['viz'] } } | null)?.prefill;
  useEffect(() => {
    if (!id && meta && prefill) setS(fromChart(prefill.title, prefill.query, prefill.viz, meta));
  }, [id, meta, prefill]);

  const set = (patch: Partial<EditorState>) => setS((old) => ({ ...old, ...patch }));
  const members = useMemo(() => membersOf(s.source, meta), [s.source, meta]);
  const measures = members.filter((m) => m.kind === 'measure' || m.kind === 'metric');
  const dimensions = members.filter((m) => m.kind === 'dimension' && m.type !== 'time');
  const times = members.filter((m) => m.kind === 'dimension' && m.type === 'time');
  const query = useMemo(() => buildQuery(s), [s]);
  const queryKey = JSON.stringify(query);

  // Live preview and SQL, shortly after the last change.
  useEffect(() => {
    if (!query) { setAnswer(null); setSql(null); setError(null); return; }
    let cancelled = false;
    const t = window.setTimeout(async () => {
      setRunning(true);
      try {
        const compare = s.viz.type === 'number' && s.viz.compare ? previousPeriodQuery(query) : null;
        const [a, p] = await Promise.all([api.query(query), compare ? api.query(compare) : Promise.resolve(undefined)]);
        if (!cancelled) { setAnswer(a); setPrevious(compare ? p ?? null : undefined); setError(null); }
      } catch (e) {
        if (!cancelled) { setError(message(e)); setAnswer(null); }
      } finally {
        if (!cancelled) setRunning(false);
      }
      api.querySql(query).then((c) => { if (!cancelled) { setSql(c); setSqlError(null); } }, (e) => { if (!cancelled) { setSql(null); setSqlError(message(e)); } });
    }, 350);
    return () => { cancelled = true; window.clearTimeout(t); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey, s.viz.type, s.viz.compare]);

  const save = async () => {
    if (!query) return;
    if (!s.title.trim()) { toast.error('Give the chart a title'); return; }
    if (!dashboardId) { toast.error('Choose a dashboard to save the chart to'); return; }
    setSaving(true);
    try {
      if (id) {
        const old = await api.chart(Number(id));
        const layout = old.layout ? { ...old.layout, w: width ?? old.layout.w } : width ? { x: 0, y: 0, w: width, h: 4 } : undefined;
        if (layout && layout.x + layout.w > 12) layout.x = 12 - layout.w;
        await api.updateChart(Number(id), { title: s.title, query, viz: s.viz, layout });
      } else {
        const d = await api.dashboard(dashboardId);
        const bottom = Math.max(0, ...(d.charts ?? []).map((c) => (c.layout ? c.layout.y + c.layout.h : 0)));
        await api.addChart({ dashboardId, title: s.title, query, viz: s.viz, layout: { x: 0, y: bottom, w: width ?? (s.viz.type === 'number' ? 4 : 6), h: s.viz.type === 'number' ? 2 : 4 } });
      }
      toast.success('Chart saved');
      navigate(`/dashboards/${dashboardId}`);
    } catch (e) {
      toast.error(`Not saved: ${message(e)}`);
    } finally {
      setSaving(false);
    }
  };

  const sources = [
    { label: 'Models', options: (meta?.models ?? []).map((m) => ({ value: `model:${m.name}`, label: m.title, search: m.name })) },
    { label: 'Views', options: (meta?.views ?? []).map((v) => ({ value: `view:${v.name}`, label: v.name, search: v.name })) },
  ];

  return (
    <div data-testid="chart-editor">
      <div className="page-title">
        <Typography.Title level={2}>{id ? 'Edit chart' : 'Chart builder'}</Typography.Title>
        <Space>
          <Select placeholder="Save to dashboard" style={{ width: 240 }} value={dashboardId ?? undefined} onChange={setDashboardId} disabled={!!id}
            options={dashboards.map((d) => ({ value: d.id, label: d.name }))} data-testid="save-dashboard" />
          <Button type="primary" icon={<SaveOutlined />} onClick={save} loading={saving} disabled={!canEdit || !query} data-testid="save-chart">Save chart</Button>
        </Space>
      </div>
      <Row gutter={16}>
        <Col xs={24} lg={9} xl={8}>
          <Card size="small" title="Query">
            <Form layout="vertical" size="middle">
              <Form.Item label="Title"><Input value={s.title} onChange={(e) => set({ title: e.target.value })} placeholder="e.g. Revenue by region" data-testid="chart-title" /></Form.Item>
              <Form.Item label="Model or view">
                <Select showSearch value={s.source ?? undefined} placeholder="Pick a model or view" options={sources} filterOption={(i, o) => String((o as { search?: string })?.search ?? '').includes(i.toLowerCase())}
                  onChange={(v) => setS({ ...EMPTY_EDITOR, title: s.title, viz: s.viz, source: v })} data-testid="source" />
              </Form.Item>
              <Form.Item label="Measures">
                <Select mode="multiple" value={s.measures} onChange={(v) => set({ measures: v })} options={measures.map(memberOption)} filterOption={filterOption} placeholder="Revenue, count…" disabled={!s.source} data-testid="measures" />
              </Form.Item>
              <Form.Item label="Dimensions">
                <Select mode="multiple" value={s.dimensions} onChange={(v) => set({ dimensions: v })} options={dimensions.map(memberOption)} filterOption={filterOption} placeholder="Group by…" disabled={!s.source} data-testid="dimensions" />
              </Form.Item>
              <Row gutter={8}>
                <Col span={14}>
                  <Form.Item label="Time dimension">
                    <Select allowClear showSearch filterOption={filterOption} value={s.timeDimension ?? undefined} onChange={(v) => set({ timeDimension: v ?? null, granularity: v ? s.granularity ?? (s.viz.type === 'number' ? null : defaultGrain(s.dateRange)) : null, dateRange: v ? s.dateRange : null })} options={times.map(memberOption)} disabled={!s.source} data-testid="time-dimension" />
                  </Form.Item>
                </Col>
                <Col span={10}>
                  <Form.Item label="Grain">
                    <Select allowClear showSearch optionFilterProp="label" value={s.granularity ?? undefined} onChange={(v) => set({ granularity: v ?? null })} disabled={!s.timeDimension} placeholder="none"
                      options={GRANULARITIES.map((g) => ({ value: g, label: g }))} data-testid="granularity" />
                  </Form.Item>
                </Col>
              </Row>
              {s.timeDimension && (
                <Form.Item label="Date range">
                  <DatePicker.RangePicker style={{ width: '100%' }} value={s.dateRange ? [dayjs(s.dateRange[0]), dayjs(s.dateRange[1])] : null}
                    onChange={(v) => set({ dateRange: v && v[0] && v[1] ? [v[0].format('YYYY-MM-DD'), v[1].format('YYYY-MM-DD')] : null })} />
                </Form.Item>
              )}
              <Form.Item label="Filters">
                <Space direction="vertical" style={{ width: '100%' }}>
                  {s.filters.map((f, i) => (
                    <Space.Compact key={i} style={{ width: '100%' }}>
                      <Select style={{ width: '38%' }} value={f.member || undefined} placeholder="member" options={[...dimensions, ...times, ...measures].map(memberOption)} filterOption={filterOption} showSearch
                        onChange={(v) => set({ filters: s.filters.map((x, j) => (j === i ? { ...x, member: v } : x)) })} />
                      <Select style={{ width: '24%' }} value={f.operator} options={OPERATORS.map((o) => ({ value: o, label: o }))}
                        onChange={(v) => set({ filters: s.filters.map((x, j) => (j === i ? { ...x, operator: v } : x)) })} />
                      <Select style={{ width: '30%' }} mode="tags" value={f.values ?? []} placeholder="values" disabled={f.operator === 'set' || f.operator === 'notSet'}
                        onChange={(v) => set({ filters: s.filters.map((x, j) => (j === i ? { ...x, values: v } : x)) })} open={false} />
                      <Button icon={<DeleteOutlined />} onClick={() => set({ filters: s.filters.filter((_, j) => j !== i) })} aria-label="Remove filter" />
                    </Space.Compact>
                  ))}
                  <Button size="small" icon={<PlusOutlined />} onClick={() => set({ filters: [...s.filters, { member: '', operator: 'equals', values: [] }] })} disabled={!s.source}>Add filter</Button>
                </Space>
              </Form.Item>
              <Row gutter={8}>
                <Col span={12}>
                  <Form.Item label="Sort by">
                    <Select allowClear value={s.order?.member} onChange={(v) => set({ order: v ? { member: v, dir: s.order?.dir ?? 'desc' } : null })}
                      options={[...s.measures, ...s.dimensions, ...(s.timeDimension ? [s.timeDimension] : [])].map((m) => ({ value: m, label: members.find((x) => x.name === m)?.title ?? m }))} data-testid="order" />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item label="Order">
                    <Select value={s.order?.dir ?? 'desc'} disabled={!s.order} onChange={(v) => s.order && set({ order: { ...s.order, dir: v } })} options={[{ value: 'asc', label: 'asc' }, { value: 'desc', label: 'desc' }]} />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item label="Limit"><InputNumber min={1} max={100000} value={s.limit} onChange={(v) => set({ limit: v ?? null })} style={{ width: '100%' }} data-testid="limit" /></Form.Item>
                </Col>
              </Row>
              <Form.Item label="Visualisation" style={{ marginBottom: 8 }}>
                <Radio.Group value={s.viz.type} onChange={(e) => set({ viz: { ...s.viz, type: e.target.value } })} optionType="button" buttonStyle="solid" size="small" data-testid="viz">
                  {VIZ.map((v) => <Radio.Button key={v.type} value={v.type} data-viz={v.type}>{v.icon} {v.label}</Radio.Button>)}
                </Radio.Group>
              </Form.Item>
              <Form.Item label="Width on the dashboard" style={{ marginBottom: 8 }}>
                <Select style={{ width: 200 }} value={width ?? (s.viz.type === 'number' ? 4 : 6)} onChange={setWidth}
                  options={[{ value: 3, label: 'Quarter' }, { value: 4, label: 'Third' }, { value: 6, label: 'Half' }, { value: 8, label: 'Two thirds' }, { value: 12, label: 'Full width' }]} />
              </Form.Item>
              {s.viz.type === 'number' && (
                <Space><Switch size="small" checked={s.viz.compare === 'previous_period'} onChange={(c) => set({ viz: { ...s.viz, compare: c ? 'previous_period' : undefined } })} /> compare with the previous period</Space>
              )}
              {VIZ_HINT[s.viz.type] && <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }} data-testid="viz-hint">{VIZ_HINT[s.viz.type]}</Typography.Paragraph>}
              <Space wrap size={[16, 8]}>
                {(s.viz.type === 'area' || s.viz.type === 'bar') && (
                  <Space><Switch size="small" checked={!!s.viz.stacked} onChange={(c) => set({ viz: { ...s.viz, stacked: c } })} /> stacked</Space>
                )}
                {(s.viz.type === 'line' || s.viz.type === 'area' || s.viz.type === 'combo') && (
                  <Space><Switch size="small" checked={!!s.viz.smooth} onChange={(c) => set({ viz: { ...s.viz, smooth: c || undefined } })} data-testid="viz-smooth" /> smooth lines</Space>
                )}
                {s.viz.type === 'pie' && (
                  <Space><Switch size="small" checked={s.viz.percentLabels !== false} onChange={(c) => set({ viz: { ...s.viz, percentLabels: c ? undefined : false } })} data-testid="viz-percent" /> percentage labels</Space>
                )}
              </Space>
              {['line', 'bar', 'area', 'combo', 'scatter', 'heatmap'].includes(s.viz.type) && (
                <Row gutter={8} style={{ marginTop: 8 }}>
                  <Col span={12}><Form.Item label="X axis title" style={{ marginBottom: 0 }}><Input size="small" allowClear value={s.viz.xTitle} placeholder="member's title" onChange={(e) => set({ viz: { ...s.viz, xTitle: e.target.value === '' ? undefined : e.target.value } })} data-testid="x-title" /></Form.Item></Col>
                  <Col span={12}><Form.Item label="Y axis title" style={{ marginBottom: 0 }}><Input size="small" allowClear value={s.viz.yTitle} placeholder="member's title" onChange={(e) => set({ viz: { ...s.viz, yTitle: e.target.value === '' ? undefined : e.target.value } })} data-testid="y-title" /></Form.Item></Col>
                </Row>
              )}
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={15} xl={16}>
          <Card size="small" bodyStyle={{ paddingTop: 0 }}>
            <Tabs activeKey={tab} onChange={setTab} tabBarExtraContent={<Space>{running && <Spin size="small" />}{answer && <><CacheTag cache={answer.cache} ms={answer.timings?.totalMs} rollup={answer.rollup} /><Typography.Text type="secondary" data-testid="row-count">{plural(answer.rows, 'row')}</Typography.Text></>}</Space>}
              items={[
                {
                  key: 'preview', label: 'Preview', children: (
                    <div style={{ height: 460, position: 'relative' }} data-testid="preview" data-state={error ? 'error' : answer ? 'ready' : 'empty'}>
                      {error ? <Alert type="error" showIcon message="The query failed" description={error} />
                        : !query ? <Empty description="Pick a model, then measures and dimensions" style={{ paddingTop: 120 }} />
                        : answer ? <div className="chart-body" style={{ height: '100%' }}><ChartView viz={s.viz} answer={answer} previous={previous} /></div>
                        : <Spin style={{ marginTop: 200, width: '100%' }} />}
                    </div>
                  ),
                },
                {
                  key: 'sql', label: 'SQL', children: sqlError ? <Alert type="error" showIcon message={sqlError} /> : sql ? (
                    <div data-testid="generated-sql">
                      <Typography.Paragraph type="secondary">Compiled for data source <b>{sql.dataSource}</b> ({sql.dialect}):</Typography.Paragraph>
                      {sql.rollup ? <Typography.Paragraph data-testid="rollup-used">Answered by rollup <b>{sql.rollup}</b></Typography.Paragraph>
                        : sql.rollupRejections?.length ? <Typography.Paragraph type="secondary" data-testid="rollup-rejections">No rollup answers it: <ul>{sql.rollupRejections.map((r) => <li key={r}>{r}</li>)}</ul></Typography.Paragraph> : null}
                      <pre className="sql">{sql.sql}</pre>
                    </div>
                  ) : <Empty description="No query yet" />,
                },
                { key: 'json', label: 'Query JSON', children: <pre className="sql">{JSON.stringify(query ?? {}, null, 2)}</pre> },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
