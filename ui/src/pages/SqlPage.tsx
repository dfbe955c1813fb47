import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Input, List, Modal, Popconfirm, Row, Space, Tabs, Tag, Tooltip, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { AreaChartOutlined, CaretRightOutlined, CloseOutlined, CloudDownloadOutlined, DeleteOutlined, DownloadOutlined, NodeIndexOutlined, PlusOutlined, PlusSquareOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import type { ColDef } from 'ag-grid-community';
import CodeEditor, { type CodeEditorHandle } from '../components/CodeEditor';
import DataGrid from '../components/DataGrid';
import { api, ApiError, message, type SavedQuery, type SqlAnswer } from '../api';
import { useMeta } from '../meta';
import { formatValue } from '../lib/format';
import { CATALOG_SQL, catalogFromInformationSchema, catalogFromMeta, completeSql, SEMANTIC, type CatalogTable } from '../lib/sqlcomplete';
import { chartFromResult, errorLocation, errorPosition, historyItems, loadTabs, nextTab, oneLine, saveTabs, toDate, type HistoryItem, type LabTab } from '../lib/sqllab';
import './sqllab.css';

const START = `SELECT region, MEASURE(revenue) AS revenue, MEASURE(order_count) AS orders
FROM semantic.sales
WHERE ordered_at >= DATE '2024-01-01'
GROUP BY region
ORDER BY revenue DESC`;

// The open tabs outlive a visit to another page (not a reload: saved queries are what lasts).
const memory = new Map<string, string>();
const tabStore = { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v) };

interface TabResult {
  answer?: SqlAnswer;
  plan?: string;
  error?: { message: string; location?: string };
  ms?: number;
  /** the SQL that produced the answer (for "make a chart") */
  sql?: string;
}

const NUMERIC = /INT|DEC|DOUBLE|FLOAT|REAL|NUMERIC|BIGINT/i;

/** The schema browser: `semantic` and each data source's schemas, tables and columns; picking one inserts its name. */
function SchemaTree({ catalog, sourcesError, onInsert, onQuery }: {
  catalog: CatalogTable[]; sourcesError: string | null; onInsert: (text: string) => void; onQuery: (t: CatalogTable) => void;
}) {
  const data = useMemo<DataNode[]>(() => {
    const schemas = [...new Set(catalog.map((t) => t.schema))];
    return schemas.map((s) => ({
      key: `s:${s}`, selectable: false,
      title: <span><Typography.Text strong>{s}</Typography.Text> <Typography.Text type="secondary" className="lab-kind">{s === SEMANTIC ? 'models & views' : 'data source'}</Typography.Text></span>,
      children: catalog.filter((t) => t.schema === s).map((t) => ({
        key: `t:${s}.${t.name}`,
        title: (
          <span className="lab-node" data-table={`${s}.${t.name}`}>
            {t.name} <Typography.Text type="secondary" className="lab-kind">{t.kind}</Typography.Text>
            <Tooltip title="Open SELECT * in a new tab">
              <Button size="small" type="link" className="lab-node-action" aria-label={`Query ${s}.${t.name} in a new tab`} icon={<PlusSquareOutlined />}
                onClick={(e) => { e.stopPropagation(); onQuery(t); }} />
            </Tooltip>
          </span>
        ),
        children: t.columns.map((c) => ({
          key: `c:${s}.${t.name}.${c.name}`, isLeaf: true,
          title: <span className="lab-node" data-column={c.name}>{c.name} <Typography.Text type="secondary" className="lab-kind">{c.kind === 'column' ? c.type : c.kind}</Typography.Text></span>,
        })),
      })),
    }));
  }, [catalog, onQuery]);
  const byKey = useMemo(() => {
    const m = new Map<string, string>();
    for (const t of catalog) {
      m.set(`t:${t.schema}.${t.name}`, `${t.schema}.${t.name}`);
      for (const c of t.columns) m.set(`c:${t.schema}.${t.name}.${c.name}`, c.kind === 'measure' || c.kind === 'metric' ? `MEASURE(${c.name})` : c.name);
    }
    return m;
  }, [catalog]);
  return (
    <div className="lab-tree" data-testid="schema-tree">
      {sourcesError && <Alert type="warning" showIcon className="lab-tree-alert" message="Data sources' schemas could not be read" description={sourcesError} />}
      <Tree showLine blockNode treeData={data} defaultExpandedKeys={[`s:${SEMANTIC}`]} selectedKeys={[]}
        onSelect={(_, info) => { const text = byKey.get(String(info.node.key)); if (text) onInsert(text); }} />
    </div>
  );
}

export default function SqlPage() {
  const { meta } = useMeta();
  const { message: toast } = App.useApp();
  const navigate = useNavigate();
  const [state, setState] = useState(() => loadTabs(tabStore, START));
  const { tabs, active } = state;
  const tab = tabs.find((t) => t.key === active) ?? tabs[0];
  const [results, setResults] = useState<Record<string, TabResult>>({});
  const result = results[tab.key] ?? {};
  const [busy, setBusy] = useState<string | null>(null);
  const [sources, setSources] = useState<CatalogTable[]>([]);
  const [sourcesError, setSourcesError] = useState<string | null>(null);
  const [saved, setSaved] = useState<SavedQuery[] | null>(null);
  const [history, setHistory] = useState<HistoryItem[] | null>(null);
  const [side, setSide] = useState('schema');
  const [naming, setNaming] = useState<string | null>(null);
  const editor = useRef<CodeEditorHandle | null>(null);

  useEffect(() => saveTabs(tabStore, tabs, active), [tabs, active]);

  const setTabs = (f: (tabs: LabTab[]) => LabTab[], nextActive?: string) =>
    setState((s) => { const t = f(s.tabs); return { tabs: t, active: nextActive ?? (t.some((x) => x.key === s.active) ? s.active : t[0].key) }; });
  const setSql = (sql: string) => setTabs((ts) => ts.map((t) => (t.key === tab.key ? { ...t, sql } : t)));
  const setResult = (key: string, r: TabResult) => setResults((old) => ({ ...old, [key]: r }));
  const openTab = useCallback((sql: string, title?: string, savedId?: number) => {
    setState((s) => {
      const n = nextTab(s.tabs);
      return { tabs: [...s.tabs, { key: n.key, title: title ?? n.title, sql, savedId }], active: n.key };
    });
  }, []);

  const loadSaved = useCallback(() => { api.savedQueries().then(setSaved, (e) => { setSaved([]); toast.error(message(e)); }); }, [toast]);
  const loadHistory = useCallback(() => { api.sqlHistory(100).then((h) => setHistory(historyItems(h)), (e) => { setHistory([]); toast.error(message(e)); }); }, [toast]);
  useEffect(loadSaved, [loadSaved]);
  useEffect(() => { if (side === 'history') loadHistory(); }, [side, loadHistory]);
  // the data sources' own tables, for the browser and completion (the semantic schema comes with the catalog)
  useEffect(() => {
    api.sql(CATALOG_SQL).then((a) => { setSources(catalogFromInformationSchema(a.data)); setSourcesError(null); }, (e) => setSourcesError(message(e)));
  }, []);

  const catalog = useMemo(() => [...catalogFromMeta(meta), ...sources], [meta, sources]);
  const complete = useCallback((text: string, pos: number, explicit: boolean) => completeSql(catalog, text, pos, explicit), [catalog]);

  const fail = (key: string, e: unknown) => setResult(key, { error: { message: message(e), location: e instanceof ApiError ? e.location : undefined } });

  const run = async (explain: boolean) => {
    const { key, sql } = tab;
    setBusy(explain ? 'explain' : 'run');
    const started = performance.now();
    try {
      const a = await api.sql(explain ? `EXPLAIN PLAN FOR ${sql.trim().replace(/;\s*$/, '')}` : sql);
      const ms = performance.now() - started;
      setResult(key, explain ? { plan: a.data.map((r) => r.map(String).join('\t')).join('\n'), ms } : { answer: a, ms, sql });
      if (!explain && side === 'history') loadHistory();
    } catch (e) {
      fail(key, e);
    } finally {
      setBusy(null);
    }
  };
  const runRef = useRef(run);
  runRef.current = run;
  const onRun = useCallback(() => { void runRef.current(false); }, []);

  /** A CSV export of any size as a job: followed on the jobs page, downloaded from there. */
  const exportJob = async () => {
    setBusy('export');
    try {
      await api.submitJob({ kind: 'export', sql: tab.sql });
      navigate('/jobs');
    } catch (e) {
      fail(tab.key, e);
    } finally {
      setBusy(null);
    }
  };

  const csv = async () => {
    setBusy('csv');
    try {
      const blob = await api.sqlCsv(tab.sql);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'strata-query.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      fail(tab.key, e);
    } finally {
      setBusy(null);
    }
  };

  const save = async (name: string, id?: number) => {
    setBusy('save');
    try {
      const q = await api.saveQuery({ name, sql: tab.sql }, id);
      setTabs((ts) => ts.map((t) => (t.key === tab.key ? { ...t, title: q.name, savedId: q.id } : t)));
      toast.success(`Saved as "${q.name}"`);
      setNaming(null);
      loadSaved();
    } catch (e) {
      toast.error(message(e));
    } finally {
      setBusy(null);
    }
  };

  const remove = async (q: SavedQuery) => {
    try {
      await api.deleteSavedQuery(q.id);
      setTabs((ts) => ts.map((t) => (t.savedId === q.id ? { ...t, savedId: undefined } : t)));
      loadSaved();
    } catch (e) {
      toast.error(message(e));
    }
  };

  const openSaved = (q: SavedQuery) => {
    const open = tabs.find((t) => t.savedId === q.id);
    if (open) setState((s) => ({ ...s, active: open.key }));
    else openTab(q.sql, q.name, q.id);
  };

  const closeTab = (key: string) => {
    if (tabs.length === 1) return;
    setTabs((ts) => ts.filter((t) => t.key !== key));
    setResults((old) => { const rest = { ...old }; delete rest[key]; return rest; });
  };

  const { rows, columns } = useMemo(() => {
    const answer = result.answer;
    if (!answer) return { rows: [], columns: [] as ColDef<Record<string, unknown>>[] };
    const columns: ColDef<Record<string, unknown>>[] = answer.columns.map((c, i) => {
      const numeric = NUMERIC.test(c.type);
      return {
        field: `c${i}`, headerName: c.name, headerTooltip: c.type, type: numeric ? 'numericColumn' : undefined,
        valueFormatter: numeric ? (p: { value: unknown }) => formatValue(p.value) : (p: { value: unknown }) => (p.value === null || p.value === undefined ? '∅' : String(p.value)),
      };
    });
    const rows = answer.data.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v])));
    return { rows, columns };
  }, [result.answer]);

  const chart = useMemo(() => (result.answer && result.sql ? chartFromResult(result.sql, result.answer.columns, meta) : null), [result.answer, result.sql, meta]);
  const error = result.error;
  const where = error ? errorPosition(error.location, error.message) : null;
  const onInsert = useCallback((text: string) => editor.current?.insert(text), []);
  const onQuery = useCallback((t: CatalogTable) => openTab(`SELECT *\nFROM ${t.schema}.${t.name}\nLIMIT 100`, t.name), [openTab]);

  return (
    <div data-testid="sql-editor" className="sql-lab">
      <div className="page-title">
        <Typography.Title level={2}>SQL Lab</Typography.Title>
        <Typography.Text type="secondary">The <code>semantic</code> schema (models and views; measures with <code>MEASURE(…)</code>) and each data source's own schemas. Ctrl+Enter runs, Ctrl+Space completes.</Typography.Text>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={7} xl={6}>
          <Card size="small" className="lab-side" styles={{ body: { padding: '0 8px 8px' } }}>
            <Tabs activeKey={side} onChange={setSide} size="small" items={[
              { key: 'schema', label: 'Schema', children: <SchemaTree catalog={catalog} sourcesError={sourcesError} onInsert={onInsert} onQuery={onQuery} /> },
              {
                key: 'saved', label: `Saved${saved?.length ? ` (${saved.length})` : ''}`, children: (
                  <List size="small" className="lab-list" loading={saved === null} dataSource={saved ?? []} locale={{ emptyText: 'No saved queries yet: "Save" keeps the current tab under a name' }}
                    renderItem={(q) => (
                      <List.Item data-testid="saved-query" data-name={q.name} actions={[
                        <Popconfirm key="d" title={`Delete "${q.name}"?`} onConfirm={() => remove(q)}>
                          <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={`Delete saved query ${q.name}`} />
                        </Popconfirm>,
                      ]}>
                        <Button type="link" className="lab-item-link" onClick={() => openSaved(q)} data-testid="open-saved-query">
                          <span className="lab-item-title">{q.name}</span>
                          <span className="lab-item-sql">{oneLine(q.sql, 80)}</span>
                        </Button>
                      </List.Item>
                    )} />
                ),
              },
              {
                key: 'history', label: 'History', children: (
                  <div>
                    <Button size="small" icon={<ReloadOutlined />} onClick={loadHistory} style={{ margin: '0 0 8px' }}>Refresh</Button>
                    <List size="small" className="lab-list" loading={history === null} dataSource={history ?? []} locale={{ emptyText: 'Statements you run appear here' }}
                      renderItem={(h) => (
                        <List.Item data-testid="history-item">
                          <Button type="link" className="lab-item-link" onClick={() => openTab(h.sql)}>
                            <span className="lab-item-sql">{oneLine(h.sql, 100)}</span>
                            <span className="lab-item-meta">
                              {toDate(h.startedAt).toLocaleString()} · {h.error ? <Tag color="red">failed</Tag> : `${h.rows.toLocaleString()} row${h.rows === 1 ? '' : 's'} · ${Math.round(h.totalMs).toLocaleString()} ms`}
                              {h.runs > 1 ? ` · ×${h.runs}` : ''}
                            </span>
                          </Button>
                        </List.Item>
                      )} />
                  </div>
                ),
              },
            ]} />
          </Card>
        </Col>
        <Col xs={24} lg={17} xl={18}>
          <Card size="small" className="lab-editor">
            {/* tabs without antd's editable-card: its add button sits inside the tablist (an ARIA error) */}
            <div className="lab-tabs">
              <Tabs type="card" size="small" activeKey={tab.key} data-testid="sql-tabs"
                onChange={(key) => setState((s) => ({ ...s, active: key }))}
                items={tabs.map((t) => ({ key: t.key, label: <span data-testid="sql-tab" data-title={t.title}>{t.title}</span> }))} />
              <Tooltip title="New tab"><Button size="small" icon={<PlusOutlined />} aria-label="New tab" data-testid="new-sql-tab" onClick={() => openTab('')} /></Tooltip>
              <Tooltip title="Close this tab"><Button size="small" icon={<CloseOutlined />} aria-label="Close this tab" data-testid="close-sql-tab" disabled={tabs.length === 1} onClick={() => closeTab(tab.key)} /></Tooltip>
            </div>
            <CodeEditor key={tab.key} value={tab.sql} onChange={setSql} language="sql" height={220} testId="sql-text" label="SQL statement"
              onRun={onRun} complete={complete} handle={editor} errorAt={where} />
            <Space wrap style={{ marginTop: 12 }}>
              <Button type="primary" icon={<CaretRightOutlined />} onClick={() => run(false)} loading={busy === 'run'} data-testid="run-sql">Run</Button>
              <Button icon={<NodeIndexOutlined />} onClick={() => run(true)} loading={busy === 'explain'} data-testid="explain-sql">Explain</Button>
              <Button icon={<SaveOutlined />} onClick={() => (tab.savedId ? save(tab.title, tab.savedId) : setNaming(tab.title))} loading={busy === 'save'} data-testid="save-sql">{tab.savedId ? 'Save' : 'Save as…'}</Button>
              <Tooltip title={chart ? 'Open the chart builder with this result\'s measures and dimensions' : 'For a result of SQL over one semantic table'}>
                <Button icon={<AreaChartOutlined />} disabled={!chart} data-testid="chart-from-sql"
                  onClick={() => chart && navigate('/charts/new', { state: { prefill: chart } })}>Make a chart</Button>
              </Tooltip>
              <Button icon={<DownloadOutlined />} onClick={csv} loading={busy === 'csv'} data-testid="csv-sql">Download CSV</Button>
              <Tooltip title="Any size: runs as a job; download it from the Jobs page"><Button icon={<CloudDownloadOutlined />} onClick={exportJob} loading={busy === 'export'} data-testid="export-sql">Export as job</Button></Tooltip>
              {result.answer && <Typography.Text type="secondary" data-testid="sql-rows">{result.answer.rows.toLocaleString()} row{result.answer.rows === 1 ? '' : 's'}{result.ms !== undefined ? ` in ${Math.round(result.ms).toLocaleString()} ms` : ''}</Typography.Text>}
            </Space>
          </Card>
          <Card size="small" style={{ marginTop: 16 }} styles={{ body: { padding: result.plan !== undefined || error || !result.answer ? 12 : 0 } }}>
            {error ? <Alert type="error" showIcon message="The statement failed" data-testid="sql-error"
                description={<>{error.message}{errorLocation(error.message, error.location) && <div>at {errorLocation(error.message, error.location)}</div>}</>} />
              : result.plan !== undefined ? <pre className="sql" data-testid="sql-plan">{result.plan}</pre>
              : result.answer ? <DataGrid rows={rows} columns={columns} height={420} />
              : <Empty description="Run a statement to see its rows" />}
          </Card>
        </Col>
      </Row>
      <Modal open={naming !== null} title="Save query" okText="Save" onCancel={() => setNaming(null)} confirmLoading={busy === 'save'}
        okButtonProps={{ disabled: !naming?.trim(), 'data-testid': 'save-sql-ok' }}
        onOk={() => naming && save(naming.trim())} destroyOnClose>
        <label htmlFor="saved-query-name" className="lab-label">Name</label>
        <Input id="saved-query-name" autoFocus value={naming ?? ''} maxLength={200} onChange={(e) => setNaming(e.target.value)}
          onPressEnter={() => naming?.trim() && save(naming.trim())} data-testid="save-sql-name" />
      </Modal>
    </div>
  );
}
