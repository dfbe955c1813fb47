import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Collapse, Empty, Row, Space, Tooltip, Typography } from 'antd';
import { CaretRightOutlined, CloudDownloadOutlined, DownloadOutlined, NodeIndexOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import type { ColDef } from 'ag-grid-community';
import CodeEditor from '../components/CodeEditor';
import DataGrid from '../components/DataGrid';
import { api, ApiError, message, type SqlAnswer } from '../api';
import { useMeta } from '../meta';

const START = `SELECT region, MEASURE(revenue) AS revenue, MEASURE(order_count) AS orders
FROM semantic.sales
WHERE ordered_at >= DATE '2024-01-01'
GROUP BY region
ORDER BY revenue DESC`;

export default function SqlPage() {
  const { meta } = useMeta();
  const [sql, setSql] = useState(START);
  const [answer, setAnswer] = useState<SqlAnswer | null>(null);
  const [plan, setPlan] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; location?: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [ms, setMs] = useState<number | null>(null);
  const navigate = useNavigate();

  /** A CSV export of any size as a job: followed on the jobs page, downloaded from there. */
  const exportJob = async () => {
    setBusy('export');
    try {
      await api.submitJob({ kind: 'export', sql });
      navigate('/jobs');
    } catch (e) {
      setError({ message: message(e), location: e instanceof ApiError ? e.location : undefined });
    } finally {
      setBusy(null);
    }
  };

  const run = async (explain: boolean) => {
    setBusy(explain ? 'explain' : 'run');
    setError(null);
    const started = performance.now();
    try {
      const a = await api.sql(explain ? `EXPLAIN PLAN FOR ${sql.trim().replace(/;\s*$/, '')}` : sql);
      setMs(performance.now() - started);
      if (explain) {
        setPlan(a.data.map((r) => r.map(String).join('\t')).join('\n'));
        setAnswer(null);
      } else {
        setAnswer(a);
        setPlan(null);
      }
    } catch (e) {
      setError({ message: message(e), location: e instanceof ApiError ? e.location : undefined });
    } finally {
      setBusy(null);
    }
  };

  const csv = async () => {
    setBusy('csv');
    try {
      const blob = await api.sqlCsv(sql);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'strata-query.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError({ message: message(e) });
    } finally {
      setBusy(null);
    }
  };

  const { rows, columns } = useMemo(() => {
    if (!answer) return { rows: [], columns: [] as ColDef<Record<string, unknown>>[] };
    const columns: ColDef<Record<string, unknown>>[] = answer.columns.map((c, i) => ({ field: `c${i}`, headerName: c.name, headerTooltip: c.type, type: /INT|DEC|DOUBLE|FLOAT|REAL|NUMERIC|BIGINT/i.test(c.type) ? 'numericColumn' : undefined }));
    const rows = answer.data.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v])));
    return { rows, columns };
  }, [answer]);

  const tables = [
    ...(meta?.views ?? []).map((v) => ({ name: v.name, kind: 'view', columns: v.columns.map((c) => c.name.slice(v.name.length + 1)) })),
    ...(meta?.models ?? []).map((m) => ({ name: m.name, kind: 'model', columns: [...m.dimensions, ...m.measures, ...m.metrics].map((c) => c.shortName) })),
  ];

  return (
    <div data-testid="sql-editor">
      <div className="page-title">
        <Typography.Title level={2}>SQL editor</Typography.Title>
        <Typography.Text type="secondary">The <code>semantic</code> schema (models and views; measures with <code>MEASURE(…)</code>) and each data source's own schemas. Ctrl+Enter runs.</Typography.Text>
      </div>
      <Row gutter={16}>
        <Col xs={24} lg={6} xl={5}>
          <Card size="small" title="semantic schema" bodyStyle={{ padding: 0, maxHeight: 640, overflow: 'auto' }}>
            <Collapse ghost size="small" items={tables.map((t) => ({
              key: t.name,
              label: <Space><Typography.Text strong>{t.name}</Typography.Text><Typography.Text type="secondary" style={{ fontSize: 11 }}>{t.kind}</Typography.Text></Space>,
              extra: <Tooltip title="Query it"><a onClick={(e) => { e.stopPropagation(); setSql(`SELECT *\nFROM semantic.${t.name}\nLIMIT 100`); }}>SELECT</a></Tooltip>,
              children: <div style={{ fontSize: 12, fontFamily: 'ui-monospace, monospace' }}>{t.columns.map((c) => <div key={c}>{c}</div>)}</div>,
            }))} />
          </Card>
        </Col>
        <Col xs={24} lg={18} xl={19}>
          <Card size="small">
            <CodeEditor value={sql} onChange={setSql} height={200} testId="sql-text"
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(false); } }}
              errorLines={error?.location && /line (\d+)/.test(error.location) ? [Number(/line (\d+)/.exec(error.location)![1])] : []} />
            <Space style={{ marginTop: 12 }}>
              <Button type="primary" icon={<CaretRightOutlined />} onClick={() => run(false)} loading={busy === 'run'} data-testid="run-sql">Run</Button>
              <Button icon={<NodeIndexOutlined />} onClick={() => run(true)} loading={busy === 'explain'} data-testid="explain-sql">Explain</Button>
              <Button icon={<DownloadOutlined />} onClick={csv} loading={busy === 'csv'} data-testid="csv-sql">Download CSV</Button>
              <Tooltip title="Any size: runs as a job; download it from the Jobs page"><Button icon={<CloudDownloadOutlined />} onClick={exportJob} loading={busy === 'export'} data-testid="export-sql">Export as job</Button></Tooltip>
              {answer && <Typography.Text type="secondary" data-testid="sql-rows">{answer.rows} row{answer.rows === 1 ? '' : 's'}{ms !== null ? ` in ${Math.round(ms)} ms` : ''}</Typography.Text>}
            </Space>
          </Card>
          <Card size="small" style={{ marginTop: 16 }} bodyStyle={{ padding: plan || error || !answer ? 12 : 0 }}>
            {error ? <Alert type="error" showIcon message="The statement failed" description={<>{error.message}{error.location && <div>at {error.location}</div>}</>} data-testid="sql-error" />
              : plan !== null ? <pre className="sql" data-testid="sql-plan">{plan}</pre>
              : answer ? <DataGrid rows={rows} columns={columns} height={420} />
              : <Empty description="Run a statement to see its rows" />}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
