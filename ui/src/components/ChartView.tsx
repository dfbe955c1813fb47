import { useMemo } from 'react';
import { Empty } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import type { ColDef } from 'ag-grid-community';
import EChart, { type EChartsOption } from './EChart';
import DataGrid from './DataGrid';
import { change, formatChange, formatValue, toNumber } from '../lib/format';
import { pivot, toSeries, type Row } from '../lib/query';
import type { MemberAnnotation, QueryAnswer, Viz } from '../lib/types';

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4b5563'];

interface Columns {
  measures: [string, MemberAnnotation][];
  dimensions: [string, MemberAnnotation][];
  times: [string, MemberAnnotation][];
  all: Record<string, MemberAnnotation>;
}

function columnsOf(a: QueryAnswer): Columns {
  const measures = Object.entries(a.annotation?.measures ?? {});
  const dimensions = Object.entries(a.annotation?.dimensions ?? {});
  const times = Object.entries(a.annotation?.timeDimensions ?? {});
  return { measures, dimensions, times, all: Object.fromEntries([...dimensions, ...times, ...measures]) };
}

function fmt(v: unknown, a: MemberAnnotation | undefined, short = false) {
  return formatValue(v, a?.format, { short, type: a?.type, granularity: a?.granularity });
}

/** Draws a query answer as the chart's visualisation. `previous` is the previous period's answer of a big number. */
export default function ChartView({ viz, answer, previous }: { viz: Viz; answer: QueryAnswer; previous?: QueryAnswer | null }) {
  const cols = useMemo(() => columnsOf(answer), [answer]);
  if (!answer.data.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No rows" className="chart-empty" />;
  switch (viz.type) {
    case 'number':
      return <BigNumber answer={answer} cols={cols} previous={previous} />;
    case 'table':
      return <TableView answer={answer} cols={cols} />;
    case 'pivot':
      return <PivotView answer={answer} cols={cols} viz={viz} />;
    default:
      return <SeriesChart answer={answer} cols={cols} viz={viz} />;
  }
}

function BigNumber({ answer, cols, previous }: { answer: QueryAnswer; cols: Columns; previous?: QueryAnswer | null }) {
  const [name, ann] = cols.measures[0] ?? [];
  const value = name ? answer.data[0][name] : null;
  const before = previous && name && previous.data.length ? toNumber(previous.data[0][name]) : null;
  const c = change(toNumber(value), before);
  return (
    <div className="big-number" data-value={String(value)}>
      <div className="value">{fmt(value, ann, true)}</div>
      {previous !== undefined && (
        <div className="compare">
          {c === null ? 'no previous period to compare' : (
            <>
              <span className={c >= 0 ? 'up' : 'down'}>{c >= 0 ? <ArrowUpOutlined /> : <ArrowDownOutlined />} {formatChange(c)}</span>
              {' '}vs previous period ({fmt(before, ann, true)})
            </>
          )}
        </div>
      )}
    </div>
  );
}

function TableView({ answer, cols }: { answer: QueryAnswer; cols: Columns }) {
  const columns = useMemo<ColDef<Row>[]>(() => Object.entries(cols.all).map(([field, a]) => ({
    field,
    headerName: a.title + (a.granularity ? ` (${a.granularity})` : ''),
    type: a.type === 'number' ? 'numericColumn' : undefined,
    valueFormatter: (p) => fmt(p.value, a),
  })), [cols]);
  return <div className="chart-fill"><DataGrid rows={answer.data} columns={columns} /></div>;
}

function PivotView({ answer, cols, viz }: { answer: QueryAnswer; cols: Columns; viz: Viz }) {
  const dims = [...cols.dimensions, ...cols.times].map(([n]) => n);
  const rowDims = viz.rows?.length ? viz.rows : dims.slice(0, 1);
  const colDims = viz.columns?.length ? viz.columns : dims.filter((d) => !rowDims.includes(d));
  const measures = cols.measures.map(([n]) => n);
  const { rows, columns } = useMemo(() => {
    const p = pivot(answer.data, rowDims, colDims, measures);
    const columns: ColDef<Row>[] = rowDims.map((d) => ({ field: d, headerName: cols.all[d]?.title ?? d, pinned: 'left' as const, valueFormatter: (x) => fmt(x.value, cols.all[d]) }));
    for (const ck of p.columnKeys) {
      for (const m of measures) {
        const id = p.cellId(ck, m);
        const label = ck.map((v, i) => fmt(v, cols.all[colDims[i]])).join(' · ');
        columns.push({ colId: id, headerName: measures.length > 1 ? `${label} · ${cols.all[m].title}` : label || cols.all[m].title,
          valueGetter: (x) => (x.data as Row)?.[id], type: 'numericColumn', valueFormatter: (x) => fmt(x.value, cols.all[m]) });
      }
    }
    for (const m of measures) {
      columns.push({ colId: `total:${m}`, headerName: measures.length > 1 ? `Total ${cols.all[m].title}` : 'Total', type: 'numericColumn',
        valueGetter: (x) => (x.data as Row)?.[`total:${m}`], valueFormatter: (x) => fmt(x.value, cols.all[m]), cellStyle: { fontWeight: 600 } });
    }
    const rows: Row[] = p.rows.map((r) => {
      const o: Row = {};
      rowDims.forEach((d, i) => { o[d] = r.key[i]; });
      Object.assign(o, r.cells);
      for (const m of measures) o[`total:${m}`] = r.total[m] ?? null;
      return o;
    });
    return { rows, columns };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [answer, viz]);
  return <div className="chart-fill"><DataGrid rows={rows} columns={columns} /></div>;
}

function SeriesChart({ answer, cols, viz }: { answer: QueryAnswer; cols: Columns; viz: Viz }) {
  const option = useMemo<EChartsOption>(() => {
    const time = cols.times[0]?.[0] ?? null;
    const dims = cols.dimensions.map(([n]) => n);
    const x = time ?? dims[0] ?? null;
    const split = time ? dims[0] ?? null : dims[1] ?? null;
    const measures = cols.measures.map(([n]) => n);
    const titles = Object.fromEntries(cols.measures.map(([n, a]) => [n, a.title]));
    const xAnn = x ? cols.all[x] : undefined;
    const mAnn = cols.all[measures[0]];
    if (viz.type === 'pie') {
      const s = toSeries(answer.data, x, measures.slice(0, 1), null, titles);
      return {
        color: PALETTE,
        tooltip: { trigger: 'item', valueFormatter: (v: unknown) => fmt(v, mAnn) },
        legend: { type: 'scroll', bottom: 0 },
        series: [{ type: 'pie', radius: ['40%', '70%'], center: ['50%', '45%'], avoidLabelOverlap: true, label: { show: false },
          data: s.categories.map((c, i) => ({ name: fmt(c, xAnn), value: s.series[0]?.data[i] ?? 0 })) }],
      };
    }
    const s = toSeries(answer.data, x, measures, split, titles);
    const type = viz.type === 'bar' ? 'bar' : 'line';
    return {
      color: PALETTE,
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => fmt(v, mAnn) },
      legend: s.series.length > 1 ? { type: 'scroll', top: 0 } : undefined,
      grid: { left: 8, right: 16, top: s.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: s.categories.map((c) => fmt(c, xAnn)), boundaryGap: type === 'bar' },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v, mAnn, true) } },
      series: s.series.map((ser) => ({
        name: ser.name, type, data: ser.data, smooth: type === 'line', showSymbol: false,
        stack: viz.stacked || (viz.type === 'area' && split) ? 'total' : undefined,
        areaStyle: viz.type === 'area' ? { opacity: 0.35 } : undefined,
        barMaxWidth: 48,
      })),
    };
  }, [answer, cols, viz]);
  return <EChart option={option} />;
}
