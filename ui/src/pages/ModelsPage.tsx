import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Alert, App, Badge, Button, Card, Col, Empty, Input, List, Row, Select, Skeleton, Space, Table, Tabs, Tag, Typography } from 'antd';
import { CheckCircleOutlined, FileTextOutlined, ReloadOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import CodeEditor from '../components/CodeEditor';
import { api, ApiError, message, type Me, type ModelFile, type Problem } from '../api';
import { useMeta } from '../meta';
import { diffLines } from '../lib/diff';
import { formatBytes, formatDuration, partitionSummary, rollupCopies, rollupState, type RollupStatus } from '../lib/rollups';
import type { MemberMeta } from '../lib/types';

const base = (file: string) => file.replace(/\.ya?ml$/, '');

/** A time from the API: an ISO string, or epoch seconds (Jackson's default for an Instant), not milliseconds. */
const when = (t: string | number) => new Date(typeof t === 'number' || /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : t).toLocaleString();

function MembersTable({ members }: { members: MemberMeta[] }) {
  return (
    <Table<MemberMeta>
      size="small"
      rowKey="name"
      pagination={false}
      dataSource={members}
      columns={[
        { title: 'Member', dataIndex: 'name', render: (n: string, m) => <><Typography.Text strong>{m.title}</Typography.Text><br /><Typography.Text code style={{ fontSize: 11 }}>{n}</Typography.Text></> },
        { title: 'Kind', dataIndex: 'kind', width: 100, render: (k: string) => <Tag color={k === 'measure' ? 'blue' : k === 'metric' ? 'purple' : k === 'segment' ? 'orange' : 'default'}>{k}</Tag> },
        { title: 'Type', dataIndex: 'type', width: 90 },
        { title: 'Aggregation', dataIndex: 'aggregation', width: 120, render: (a?: string | null) => a ?? '' },
        { title: 'Format', dataIndex: 'format', width: 90, render: (f?: string | null) => f ?? '' },
        { title: 'Description', dataIndex: 'description', render: (d?: string | null) => <span className="member-desc">{d ?? ''}</span> },
      ]}
    />
  );
}

/**
 * The model's rollups: state, size, partitions, last build and error, and for a `local` rollup
 * each server's copy; editors rebuild.
 */
function Rollups({ name, canEdit }: { name: string; canEdit: boolean }) {
  const { message: toast } = App.useApp();
  const [rows, setRows] = useState<RollupStatus[] | null>(null);
  const load = useCallback(() => { api.rollups(name).then(setRows, () => setRows([])); }, [name]);
  useEffect(load, [load]);
  const rebuild = (r: RollupStatus, force: boolean) => api.buildRollup(r.model, r.rollup, force).then(
    (job) => { toast.success(`Build of ${r.model}.${r.rollup} queued (job ${job.id.slice(0, 8)})`); load(); },
    (e) => toast.error(message(e)));
  if (!rows) return <Skeleton active />;
  if (!rows.length) return <Empty description="This model declares no rollups (see the README's Rollups section)" />;
  return (
    <Table<RollupStatus>
      size="small" rowKey="rollup" pagination={false} dataSource={rows} data-testid="rollups"
      columns={[
        { title: 'Rollup', dataIndex: 'rollup', render: (n: string, r) => <><Typography.Text strong>{n}</Typography.Text><br /><Typography.Text type="secondary" style={{ fontSize: 11 }}>{r.store}{r.version != null ? ` · v${r.version}` : ''}</Typography.Text></> },
        { title: 'State', dataIndex: 'state', render: (_: string, r) => { const s = rollupState(r); return <Tag color={s.color}>{s.label}</Tag>; } },
        { title: 'Partitions', render: (_: unknown, r) => partitionSummary(r.partitions) },
        { title: 'Rows', dataIndex: 'rows', render: (v: number) => v.toLocaleString() },
        { title: 'Size', dataIndex: 'bytes', render: (v: number) => formatBytes(v) },
        { title: 'Built', dataIndex: 'builtAt', render: (t: string | null, r) => (t ? `${new Date(t).toLocaleString()} in ${formatDuration(r.buildMillis)}` : '') },
        { title: 'Servers', key: 'copies', render: (_: unknown, r) => rollupCopies(r).map((c) => (
          <div key={c.key} data-testid="rollup-copy" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
            <Tag color={c.color}>{c.label}</Tag>
            <Typography.Text strong={c.here} title={c.error ?? undefined}>{c.server}{c.here ? ' (this server)' : ''}</Typography.Text>
            {c.detail ? <Typography.Text type="secondary"> · {c.detail}</Typography.Text> : null}
            {c.error ? <Typography.Text type="danger"> · {c.error}</Typography.Text> : null}
          </div>)) },
        { title: 'Last error', dataIndex: 'lastError', render: (e: string | null) => (e ? <Typography.Text type="danger" style={{ fontSize: 12 }}>{e}</Typography.Text> : '') },
        { title: '', render: (_: unknown, r) => <Button size="small" icon={<ReloadOutlined />} disabled={!canEdit} onClick={() => rebuild(r, r.state !== 'built')}>Rebuild</Button> },
      ]}
    />
  );
}

function History({ name, current }: { name: string; current: string }) {
  const [versions, setVersions] = useState<ModelFile[] | null>(null);
  const [a, setA] = useState<number | null>(null);
  const [b, setB] = useState<number | null>(null);
  const [texts, setTexts] = useState<[string, string] | null>(null);
  useEffect(() => {
    api.history(name).then((h) => {
      setVersions(h);
      const live = h.filter((v) => !v.deleted);
      setB(live[0]?.version ?? null);
      setA(live[1]?.version ?? live[0]?.version ?? null);
    }, () => setVersions([]));
  }, [name, current]);
  useEffect(() => {
    if (a === null || b === null) return;
    Promise.all([api.model(name, a), api.model(name, b)]).then(([x, y]) => setTexts([x.yaml, y.yaml]), () => setTexts(null));
  }, [name, a, b]);
  const diff = useMemo(() => (texts ? diffLines(texts[0], texts[1]) : []), [texts]);
  if (!versions) return <Skeleton active />;
  const options = versions.filter((v) => !v.deleted).map((v) => ({ value: v.version, label: `v${v.version} · ${v.author} · ${when(v.createdAt)}` }));
  const changed = diff.filter((l) => l.kind !== 'same').length;
  return (
    <Row gutter={16}>
      <Col span={8}>
        <List size="small" bordered dataSource={versions} renderItem={(v) => (
          <List.Item>
            <Space direction="vertical" size={0}>
              <span><b>v{v.version}</b> {v.deleted && <Tag color="red">deleted</Tag>}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{v.author} · {when(v.createdAt)}</Typography.Text>
            </Space>
          </List.Item>
        )} />
      </Col>
      <Col span={16}>
        <Space style={{ marginBottom: 8 }} wrap>
          <Select style={{ width: 280 }} value={a ?? undefined} onChange={setA} options={options} />
          <span>→</span>
          <Select style={{ width: 280 }} value={b ?? undefined} onChange={setB} options={options} />
          <Typography.Text type="secondary">{changed} line{changed === 1 ? '' : 's'} changed</Typography.Text>
        </Space>
        <div className="diff" data-testid="diff">
          {diff.map((l, i) => (
            <div key={i} className={l.kind}><span className="ln">{l.oldLine ?? ''}</span><span className="ln">{l.newLine ?? ''}</span>{l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}{l.text}</div>
          ))}
        </div>
      </Col>
    </Row>
  );
}

export default function ModelsPage({ me }: { me: Me }) {
  const { name } = useParams();
  const navigate = useNavigate();
  const { message: toast } = App.useApp();
  const { meta, reload } = useMeta();
  const [files, setFiles] = useState<ModelFile[] | null>(null);
  const [search, setSearch] = useState('');
  const [yaml, setYaml] = useState<string>('');
  const [saved, setSaved] = useState<string>('');
  const [version, setVersion] = useState(0);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState('members');
  const canEdit = me.role !== 'viewer';

  useEffect(() => { api.models().then(setFiles, (e) => toast.error(message(e))); }, [toast]);
  const load = useCallback(() => {
    if (!name) return;
    api.model(name).then((m) => { setYaml(m.yaml); setSaved(m.yaml); setVersion(m.version); setProblems(null); setFailure(null); }, (e) => toast.error(message(e)));
  }, [name, toast]);
  useEffect(load, [load]);

  const fileName = files?.find((f) => base(f.name) === name)?.name ?? `${name}.yml`;
  const mine = (problems ?? []).filter((p) => p.file === fileName || base(p.file) === name);
  const others = (problems ?? []).filter((p) => !mine.includes(p));

  const save = async (validateOnly: boolean) => {
    if (!name) return;
    setBusy(true);
    setProblems(null);
    setFailure(null);
    try {
      if (validateOnly) {
        await api.validateModels({ [fileName]: yaml });
        toast.success('Valid: no problems found');
      } else {
        const v = await api.saveModel(name, yaml);
        setSaved(yaml);
        setVersion(v.version);
        toast.success(`Saved as version ${v.version}`);
        reload();
        api.models().then(setFiles, () => undefined);
      }
    } catch (e) {
      if (e instanceof ApiError && e.errors?.length) {
        setProblems(e.errors);
        setFailure(e.message);
      } else {
        setFailure(message(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const model = meta?.models.find((m) => m.name === name);
  const view = meta?.views.find((v) => v.name === name);
  const members: MemberMeta[] = model ? [...model.measures, ...model.metrics, ...model.dimensions, ...model.segments]
    : view ? view.columns.map((c) => ({ name: c.name, shortName: c.name, kind: c.kind as MemberMeta['kind'], type: c.type, title: c.title, description: c.description, format: c.format })) : [];
  const shown = (files ?? []).filter((f) => f.name.toLowerCase().includes(search.toLowerCase()));

  return (
    <div>
      <div className="page-title"><Typography.Title level={2}>Models</Typography.Title></div>
      <Row gutter={16}>
        <Col xs={24} md={7} xl={5}>
          <Card size="small" title="Model files" bodyStyle={{ padding: 8 }}>
            <Input.Search placeholder="Filter" allowClear onChange={(e) => setSearch(e.target.value)} style={{ marginBottom: 8 }} />
            {!files ? <Skeleton active /> : (
              <List size="small" dataSource={shown} renderItem={(f) => {
                const isView = meta?.views.some((v) => v.name === base(f.name));
                return (
                  <List.Item onClick={() => navigate(`/models/${base(f.name)}`)} style={{ cursor: 'pointer', background: base(f.name) === name ? '#eff6ff' : undefined, padding: '6px 8px', borderRadius: 4 }} data-model={base(f.name)}>
                    <Space><FileTextOutlined />{base(f.name)}{isView && <Tag color="geekblue">view</Tag>}</Space>
                    <Typography.Text type="secondary" style={{ fontSize: 11 }}>v{f.version}</Typography.Text>
                  </List.Item>
                );
              }} />
            )}
          </Card>
        </Col>
        <Col xs={24} md={17} xl={19}>
          {!name ? (
            <Card><Empty description="Pick a model file to see its members, its YAML and its history" /></Card>
          ) : (
            <Card size="small" title={<Space>{name}<Typography.Text type="secondary">{fileName} · version {version}</Typography.Text>{yaml !== saved && <Badge status="warning" text="unsaved changes" />}</Space>}>
              {(model?.description || view?.description) && <Typography.Paragraph type="secondary">{model?.description ?? view?.description}</Typography.Paragraph>}
              <Tabs activeKey={tab} onChange={setTab} items={[
                { key: 'members', label: `Members (${members.length})`, children: members.length ? <MembersTable members={members} /> : <Empty description="No model or view of this name in the catalog" /> },
                {
                  key: 'yaml', label: 'YAML', children: (
                    <div data-testid="yaml-tab">
                      {failure && (
                        <Alert type="error" showIcon style={{ marginBottom: 8 }} message={failure} data-testid="model-errors"
                          description={(problems ?? []).length ? (
                            <ul style={{ margin: 0, paddingLeft: 18 }}>
                              {[...mine, ...others].map((p, i) => <li key={i} data-problem-line={p.line}><Typography.Text code>{p.file}:{p.line}:{p.column}</Typography.Text> {p.message}</li>)}
                            </ul>
                          ) : undefined} />
                      )}
                      <CodeEditor value={yaml} onChange={setYaml} language="yaml" label={`${fileName} (YAML)`} errorLines={mine.map((p) => p.line)} height={520} testId="yaml-editor" />
                      <Space style={{ marginTop: 12 }}>
                        <Button icon={<CheckCircleOutlined />} onClick={() => save(true)} loading={busy} disabled={!canEdit}>Validate</Button>
                        <Button type="primary" icon={<SaveOutlined />} onClick={() => save(false)} loading={busy} disabled={!canEdit || yaml === saved} data-testid="save-model">Save</Button>
                        <Button icon={<UndoOutlined />} onClick={() => { setYaml(saved); setProblems(null); setFailure(null); }} disabled={yaml === saved}>Discard changes</Button>
                      </Space>
                    </div>
                  ),
                },
                { key: 'rollups', label: 'Rollups', children: <Rollups name={name} canEdit={canEdit} /> },
                { key: 'history', label: 'History', children: <History name={name} current={saved} /> },
              ]} />
            </Card>
          )}
        </Col>
      </Row>
    </div>
  );
}
