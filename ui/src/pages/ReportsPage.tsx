import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Drawer, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, HistoryOutlined, PauseCircleOutlined, PlayCircleOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import { api, message, type Me } from '../api';
import { alertBody, alertForm, CONDITION_OPS, describeCondition, describeRun, reportBody, reportForm, type AlertDef, type FormValues, type Report, type Run } from '../lib/reports';

type Kind = 'reports' | 'alerts';
type Item = (Report | AlertDef) & { id?: string };

const STATE_COLORS: Record<string, string> = {
  ok: 'success', triggered: 'warning', error: 'error', sent: 'success', failed: 'error', silent: 'default',
  recovered: 'success', running: 'processing',
};

function when(t: string | null | undefined): string {
  return t ? new Date(t).toLocaleString() : '';
}

/**
 * Reports (a dashboard or chart sent on a schedule) and alerts (a number checked on a schedule):
 * create, edit, test-send, pause and delete them, and read each one's run history. Opened with
 * `?dashboardId=N` (a dashboard's "Schedule this dashboard"), it starts a report of that dashboard.
 */
export default function ReportsPage({ me }: { me: Me }) {
  const { message: toast } = App.useApp();
  const [params, setParams] = useSearchParams();
  const [tab, setTab] = useState<Kind>(params.get('tab') === 'alerts' ? 'alerts' : 'reports');
  const [reports, setReports] = useState<Report[]>([]);
  const [alerts, setAlerts] = useState<AlertDef[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ kind: Kind; item?: Item } | null>(null);
  const [history, setHistory] = useState<{ kind: Kind; item: Item; runs: Run[] } | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [form] = Form.useForm<FormValues>();
  const canEdit = me.role !== 'viewer';

  const load = useCallback(async () => {
    try {
      const [r, a] = await Promise.all([api.reports(), api.alerts()]);
      setReports(r);
      setAlerts(a);
      setError(null);
    } catch (e) {
      setError(message(e));
    }
  }, []);
  useEffect(() => { load(); }, [load]);

  const open = useCallback((kind: Kind, item?: Item, preset?: Partial<FormValues>) => {
    setSaveError(null);
    form.resetFields();
    const base: FormValues = kind === 'reports'
      ? { name: '', cron: '0 0 7 * * MON-FRI', target: 'dashboard', format: 'png', ...preset }
      : { name: '', cron: '0 0 * * * *', source: 'query', op: '>', gracePeriod: '1h', ...preset };
    form.setFieldsValue(item ? (kind === 'reports' ? reportForm(item as Report) : alertForm(item as AlertDef)) : base);
    setEditing({ kind, item });
  }, [form]);

  // "Schedule this dashboard": /reports?dashboardId=N opens a new report of it
  useEffect(() => {
    const d = params.get('dashboardId');
    if (d && canEdit) {
      open('reports', undefined, { name: params.get('name') ? `${params.get('name')} report` : '', targetId: Number(d) });
      setParams({}, { replace: true });
    }
  }, [params, setParams, open, canEdit]);

  const save = async () => {
    if (!editing) return;
    const v = await form.validateFields();
    try {
      if (editing.kind === 'reports') await api.saveReport(reportBody(v), editing.item?.id);
      else await api.saveAlert(alertBody(v), editing.item?.id);
      setEditing(null);
      toast.success('Saved');
      load();
    } catch (e) {
      setSaveError(message(e));
    }
  };

  const showHistory = async (kind: Kind, item: Item) => {
    try {
      setHistory({ kind, item, runs: await api.runs(kind, item.id!) });
    } catch (e) {
      toast.error(message(e));
    }
  };

  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      toast.success(done);
      load();
    } catch (e) {
      toast.error(message(e));
    }
  };

  const columns = (kind: Kind) => [
    { title: 'Name', dataIndex: 'name', key: 'name', render: (n: string, r: Item) => <span data-testid={`${kind}-row`} data-name={n}>{n}{r.active === false && <Tag style={{ marginLeft: 8 }}>paused</Tag>}</span> },
    kind === 'reports'
      ? { title: 'What', key: 'what', render: (_: unknown, r: Item) => { const x = r as Report; return `${x.chartId ? `chart ${x.chartId}` : `dashboard ${x.dashboardId}`} as ${x.format.toUpperCase()}`; } }
      : { title: 'Condition', key: 'what', render: (_: unknown, r: Item) => <span>value {describeCondition((r as AlertDef).condition)}{(r as AlertDef).lastValue != null && <Typography.Text type="secondary"> (last {(r as AlertDef).lastValue})</Typography.Text>}</span> },
    { title: 'Schedule', key: 'cron', render: (_: unknown, r: Item) => <code>{r.cron}</code>, },
    { title: 'Channels', key: 'channels', render: (_: unknown, r: Item) => r.channels.map((c, i) => <Tag key={i}>{c.type === 'email' ? c.to.join(', ') : new URL(c.url).host}</Tag>) },
    { title: 'State', dataIndex: 'state', key: 'state', render: (s: string) => <Tag color={STATE_COLORS[s]}>{s}</Tag> },
    ...(me.role === 'admin' ? [{ title: 'Owner', dataIndex: 'owner', key: 'owner' }] : []),
    {
      title: '', key: 'actions', render: (_: unknown, r: Item) => (
        <Space size={0}>
          <Tooltip title="Run history"><Button type="text" icon={<HistoryOutlined />} onClick={() => showHistory(kind, r)} aria-label="History" /></Tooltip>
          {canEdit && <>
            <Tooltip title="Edit"><Button type="text" icon={<EditOutlined />} onClick={() => open(kind, r)} aria-label="Edit" /></Tooltip>
            <Tooltip title="Send now (test)"><Button type="text" icon={<SendOutlined />} onClick={() => act(() => api.testSend(kind, r.id!), 'Sending: see its history')} aria-label="Test send" /></Tooltip>
            <Tooltip title={r.active === false ? 'Resume' : 'Pause'}><Button type="text" icon={r.active === false ? <PlayCircleOutlined /> : <PauseCircleOutlined />} onClick={() => act(() => api.setActive(kind, r.id!, r.active === false), r.active === false ? 'Resumed' : 'Paused')} aria-label={r.active === false ? 'Resume' : 'Pause'} /></Tooltip>
            <Popconfirm title={`Delete “${r.name}” and its history?`} okText="Delete" okButtonProps={{ danger: true }} onConfirm={() => act(() => api.deleteNotification(kind, r.id!), 'Deleted')}>
              <Button type="text" danger icon={<DeleteOutlined />} aria-label="Delete" />
            </Popconfirm>
          </>}
        </Space>
      ),
    },
  ];

  const kind = editing?.kind;
  return (
    <div>
      <div className="page-title">
        <Typography.Title level={2}>Reports &amp; alerts</Typography.Title>
        {canEdit && <Button type="primary" icon={<PlusOutlined />} onClick={() => open(tab)}>{tab === 'reports' ? 'New report' : 'New alert'}</Button>}
      </div>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Tabs activeKey={tab} onChange={(k) => setTab(k as Kind)} items={[
        { key: 'reports', label: `Reports (${reports.length})`, children: <Table rowKey="id" dataSource={reports} columns={columns('reports')} pagination={false} /> },
        { key: 'alerts', label: `Alerts (${alerts.length})`, children: <Table rowKey="id" dataSource={alerts} columns={columns('alerts')} pagination={false} /> },
      ]} />

      <Modal title={`${editing?.item ? 'Edit' : 'New'} ${kind === 'alerts' ? 'alert' : 'report'}`} open={!!editing} onOk={save} onCancel={() => setEditing(null)} okText="Save" width={640} destroyOnClose>
        {saveError && <Alert type="error" showIcon message={saveError} style={{ marginBottom: 12 }} data-testid="save-error" />}
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="Name" rules={[{ required: true, message: 'Give it a name' }]}><Input /></Form.Item>
          {kind === 'reports' ? <>
            <Space align="start">
              <Form.Item name="target" label="Send"><Radio.Group options={[{ value: 'dashboard', label: 'Dashboard' }, { value: 'chart', label: 'Chart' }]} optionType="button" /></Form.Item>
              <Form.Item name="targetId" label="Id" rules={[{ required: true, message: 'Which one?' }]}><InputNumber min={1} /></Form.Item>
              <Form.Item name="format" label="As"><Select style={{ width: 170 }} options={[{ value: 'png', label: 'PNG image' }, { value: 'pdf', label: 'PDF' }, { value: 'csv', label: 'CSV (a chart)' }, { value: 'text', label: 'Text (big number)' }]} /></Form.Item>
            </Space>
            <Space>
              <Form.Item name="width" label="Width (px)"><InputNumber min={320} max={4096} placeholder="1280" /></Form.Item>
              <Form.Item name="height" label="Height (px)"><InputNumber min={200} max={8192} placeholder="900" /></Form.Item>
            </Space>
          </> : <>
            <Form.Item name="source" label="Checks"><Radio.Group options={[{ value: 'query', label: 'Semantic query' }, { value: 'sql', label: 'SQL' }]} optionType="button" /></Form.Item>
            <Form.Item noStyle shouldUpdate={(a, b) => a.source !== b.source}>
              {({ getFieldValue }) => getFieldValue('source') === 'sql'
                ? <Form.Item name="sql" label="SQL returning one number" rules={[{ required: true }]}><Input.TextArea rows={3} placeholder="SELECT count(*) FROM demo.retail.orders" /></Form.Item>
                : <Form.Item name="query" label="Query returning one number (JSON)" rules={[{ required: true }]}><Input.TextArea rows={3} placeholder='{"measures": ["orders.count"]}' /></Form.Item>}
            </Form.Item>
            <Space align="start">
              <Form.Item name="op" label="Condition"><Select style={{ width: 200 }} options={CONDITION_OPS.map((o) => ({ value: o, label: o === 'changed_by_pct' ? 'changed by more than %' : o === 'is_empty' ? 'is empty' : o }))} /></Form.Item>
              <Form.Item name="value" label="Value"><InputNumber /></Form.Item>
              <Form.Item name="gracePeriod" label="Grace period" tooltip="No repeat notification while the condition keeps holding"><Input style={{ width: 100 }} placeholder="1h" /></Form.Item>
              <Form.Item name="attachChartId" label="Attach chart (id)"><InputNumber min={1} /></Form.Item>
            </Space>
          </>}
          <Space align="start">
            <Form.Item name="cron" label="Schedule (cron, seconds first)" rules={[{ required: true }]}><Input style={{ width: 220 }} /></Form.Item>
            <Form.Item name="timeZone" label="Time zone"><Input style={{ width: 200 }} placeholder="UTC" /></Form.Item>
          </Space>
          <Form.Item name="emails" label="Email to (one a line)"><Input.TextArea rows={2} placeholder="ops@example.com" /></Form.Item>
          <Form.Item name="webhooks" label="Webhooks, Slack or Teams (one URL a line)"><Input.TextArea rows={2} placeholder="https://hooks.slack.com/services/..." /></Form.Item>
        </Form>
      </Modal>

      <Drawer title={history ? `History of “${history.item.name}”` : ''} open={!!history} onClose={() => setHistory(null)} width={760}>
        {history && <Table rowKey="id" size="small" dataSource={history.runs} pagination={{ pageSize: 20 }} columns={[
          { title: 'Started', dataIndex: 'startedAt', key: 'startedAt', render: when },
          { title: 'State', dataIndex: 'state', key: 'state', render: (s: string, r: Run) => <Space size={4}><Tag color={STATE_COLORS[s]}>{s}</Tag>{r.test && <Tag>test</Tag>}</Space> },
          { title: 'Outcome', key: 'outcome', render: (_: unknown, r: Run) => describeRun(r) },
        ]} />}
      </Drawer>
    </div>
  );
}
