import { useEffect, useState } from 'react';
import { Button, Dropdown, Modal, Space, Tag, Typography, Alert } from 'antd';
import { CloseOutlined, FilterOutlined, NodeExpandOutlined, TableOutlined, ZoomInOutlined } from '@ant-design/icons';
import type { ColDef } from 'ag-grid-community';
import DataGrid from './DataGrid';
import { api, message } from '../api';
import { useMeta } from '../meta';
import { columnWidth, formatValue, plural } from '../lib/format';
import { bucketRange, finerGrain, nextDimensions, underlyingRowsQuery, type CrossFilterApi, type Pick } from '../lib/crossfilter';
import type { Chart, QueryAnswer, SemanticQuery } from '../lib/types';
import './crossfilter.css';

const PAGE = 50;

/**
 * The dashboard's cross-filters and drills, shown and removable: one chip per picked value
 * (closing it removes the value), one per drilled chart (its steps; closing goes back to the
 * chart as saved) and "clear all". Also the drill menu a right click on a chart opens, and the
 * underlying rows of a pick, a page at a time.
 * `charts` are the dashboard's charts; `queryOf` is a chart's query with the dashboard filters.
 */
export default function CrossFilterBar({ cf, charts, queryOf, preferred = [] }: {
  cf: CrossFilterApi; charts: Chart[]; queryOf: (c: Chart) => SemanticQuery; preferred?: string[];
}) {
  const { meta, members } = useMeta();
  const title = (m: string) => members.get(m)?.title ?? m;
  const drilled = Object.entries(cf.drills).filter(([, s]) => s.length > 0);
  const chart = (id: number) => charts.find((c) => c.id === id);

  const menu = cf.menu;
  const menuChart = menu ? chart(menu.chartId) : undefined;
  const items = [] as { key: string; label: React.ReactNode; icon?: React.ReactNode; onClick?: () => void; children?: unknown[] }[];
  if (menu && menuChart) {
    const q = cf.query(menuChart.id, queryOf(menuChart));
    const label = menu.picks.map((p) => p.label).join(' · ');
    items.push({ key: 'filter', icon: <FilterOutlined />, label: `Filter other charts by ${label}`, onClick: () => cf.select(menuChart.id!, menuChart.title, menu.picks) });
    const time = menu.picks.find((p) => p.granularity);
    const finer = time ? finerGrain(time.granularity) : null;
    if (time && finer) {
      items.push({ key: 'drill-time', icon: <ZoomInOutlined />, label: `Drill into ${time.label} by ${finer}`,
        onClick: () => cf.drill(menuChart.id!, { kind: 'time', dimension: time.member, from: time.granularity!, to: finer, range: bucketRange(time.value, time.granularity!), label: `${time.label} by ${finer}` }) });
    }
    const dim = menu.picks.find((p) => !p.granularity);
    if (dim) {
      const next = nextDimensions(q, dim.member, meta, preferred).slice(0, 8);
      if (next.length) {
        items.push({ key: 'drill-dim', icon: <NodeExpandOutlined />, label: `Drill into ${dim.label} by`,
          children: next.map((n) => ({ key: `drill:${n.name}`, label: n.title, 'data-member': n.name,
            onClick: () => cf.drill(menuChart.id!, { kind: 'dimension', member: dim.member, value: dim.value, label: `${dim.label} by ${n.title.toLowerCase()}`, next: n.name }) })) });
      }
    }
    items.push({ key: 'rows', icon: <TableOutlined />, label: 'Show the underlying rows', onClick: () => cf.showRows({ chartId: menuChart.id!, picks: menu.picks }) });
  }

  return (
    <>
      {(cf.filters.length > 0 || drilled.length > 0) && (
        <div className="cross-filter-bar" data-testid="cross-filters">
          <span className="label"><FilterOutlined /> Cross-filters</span>
          {cf.filters.flatMap((f) => f.picks.map((p, i) => (
            <Tag key={`${f.chartId}:${i}`} closable onClose={(e) => { e.preventDefault(); cf.remove(f.chartId, i); }} color="blue"
              className="cross-filter-chip" data-member={p.member} data-value={p.value} data-chart-id={f.chartId} title={`from “${f.chartTitle}”`}>
              {title(p.member)}: <b>{p.label}</b>
            </Tag>
          )))}
          {drilled.map(([id, steps]) => (
            <Tag key={`drill:${id}`} closable onClose={(e) => { e.preventDefault(); cf.undrill(Number(id), 0); }} color="purple"
              className="drill-chip" data-chart-id={id}>
              {chart(Number(id))?.title ?? `chart ${id}`}: {steps.map((s, i) => (
                <span key={i}>{i > 0 && ' › '}<a onClick={() => cf.undrill(Number(id), i + 1)}>{s.label}</a></span>
              ))}
            </Tag>
          ))}
          <Button size="small" type="link" onClick={cf.clear} data-testid="cross-filters-clear">Clear all</Button>
        </div>
      )}
      {menu && (
        <Dropdown open menu={{ items: items as never, onClick: () => cf.closeMenu(), triggerSubMenuAction: 'click' }} onOpenChange={(o) => { if (!o) cf.closeMenu(); }} trigger={['click']}
          overlayClassName="drill-menu">
          <span className="drill-anchor" style={{ left: menu.x, top: menu.y }} />
        </Dropdown>
      )}
      {cf.rows && <UnderlyingRows key={JSON.stringify(cf.rows)} picks={cf.rows.picks} chart={chart(cf.rows.chartId)} query={(c) => cf.query(c.id, queryOf(c))} onClose={() => cf.showRows(null)} />}
    </>
  );
}

/** The rows under a pick, `PAGE` at a time, with previous/next. */
function UnderlyingRows({ picks, chart, query, onClose }: { picks: Pick[]; chart?: Chart; query: (c: Chart) => SemanticQuery; onClose: () => void }) {
  const { meta } = useMeta();
  const [page, setPage] = useState(0);
  const [answer, setAnswer] = useState<QueryAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const q = chart ? underlyingRowsQuery(query(chart), picks, meta, page, PAGE) : null;
  const key = JSON.stringify(q);
  useEffect(() => {
    if (!q) return;
    let cancelled = false;
    setLoading(true);
    api.query(q).then((a) => { if (!cancelled) { setAnswer(a); setError(null); } }, (e) => { if (!cancelled) setError(message(e)); })
      .finally(() => { if (!cancelled) setLoading(false); });
    return () => { cancelled = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const ann = answer ? { ...answer.annotation.dimensions, ...answer.annotation.timeDimensions, ...answer.annotation.measures } : {};
  const columns: ColDef<Record<string, unknown>>[] = Object.entries(ann).map(([field, a]) => ({
    field, headerName: a.title, valueFormatter: (p) => formatValue(p.value, a.format, { type: a.type, granularity: a.granularity }),
    minWidth: columnWidth(a.title, (answer?.data ?? []).map((r) => formatValue(r[field], a.format, { type: a.type, granularity: a.granularity }))),
  }));
  const n = answer?.data.length ?? 0;
  return (
    <Modal open width={1000} onCancel={onClose} footer={null}
      title={<>Underlying rows{chart ? ` of “${chart.title}”` : ''}: {picks.map((p) => p.label).join(' · ')}</>}>
      <div data-testid="underlying-rows" data-page={page} data-rows={n} data-state={loading ? 'loading' : error ? 'error' : 'ready'}>
        {error && <Alert type="error" showIcon message="The rows could not be read" description={error} />}
        <div style={{ height: 420 }}>{answer && <DataGrid rows={answer.data} columns={columns} />}</div>
        <Space style={{ marginTop: 8, justifyContent: 'space-between', width: '100%' }}>
          <Typography.Text type="secondary">
            {answer ? (n ? `rows ${(page * PAGE + 1).toLocaleString('en-US')}–${(page * PAGE + n).toLocaleString('en-US')}` : plural(0, 'row')) : ''}
          </Typography.Text>
          <Space>
            <Button size="small" disabled={page === 0 || loading} onClick={() => setPage(page - 1)} data-testid="rows-previous">Previous</Button>
            <Button size="small" disabled={n < PAGE || loading} onClick={() => setPage(page + 1)} data-testid="rows-next">Next</Button>
            <Button size="small" icon={<CloseOutlined />} onClick={onClose}>Close</Button>
          </Space>
        </Space>
      </div>
    </Modal>
  );
}
