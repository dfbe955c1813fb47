import { useContext, useMemo, useRef } from 'react';
import { Empty } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import type { CellClickedEvent, CellContextMenuEvent, ColDef } from 'ag-grid-community';
import EChart, { type ChartPoint, type EChartsOption } from './EChart';
import DataGrid from './DataGrid';
import { change, columnWidth, formatChange, formatValue, toNumber } from '../lib/format';
import { pivot, toSeries, type Row } from '../lib/query';
import { assignColours } from '../lib/colours';
import { ChartSelect, type Pick, type SelectHandler } from '../lib/crossfilter';
import type { MemberAnnotation, QueryAnswer, Viz } from '../lib/types';

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

/** The member an answer column stands for: `orders.ordered_at` for `orders.ordered_at.month`. */
function memberOf(column: string, a: MemberAnnotation | undefined): string {
  if (a?.member) return a.member;
  return a?.granularity && column.endsWith('.' + a.granularity) ? column.slice(0, -a.granularity.length - 1) : column;
}

/** A pick of `column`'s raw value (null when the column is a measure or the value is missing). */
function pickOf(cols: Columns, column: string | null, raw: unknown): Pick | null {
  if (!column || raw === null || raw === undefined || raw === '∅') return null;
  const a = cols.all[column];
  if (!a || cols.measures.some(([n]) => n === column)) return null;
  return { member: memberOf(column, a), value: String(raw), label: fmt(raw, a), granularity: a.granularity };
}

/**
 * Draws a query answer as the chart's visualisation. `previous` is the previous period's answer
 * of a big number. `onSelect` (or, without it, the dashboard's ChartSelect context) hears a
 * click on a bar, slice, point or table row with the values under it, and a right click (for
 * the drill menu).
 */
export default function ChartView({ viz, answer, previous, onSelect }: { viz: Viz; answer: QueryAnswer; previous?: QueryAnswer | null; onSelect?: SelectHandler }) {
  const cols = useMemo(() => columnsOf(answer), [answer]);
  const fromDashboard = useContext(ChartSelect);
  const select = onSelect ?? fromDashboard ?? undefined;
  if (!answer.data.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No rows" className="chart-empty" />;
  switch (viz.type) {
    case 'number':
      return <BigNumber answer={answer} cols={cols} previous={previous} />;
    case 'table':
      return <TableView answer={answer} cols={cols} onSelect={select} />;
    case 'pivot':
      return <PivotView answer={answer} cols={cols} viz={viz} onSelect={select} />;
    default:
      return <SeriesChart answer={answer} cols={cols} viz={viz} onSelect={select} />;
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

/** A click on a table row picks the dimension cell clicked, or else the row's dimensions. */
function rowPicks(cols: Columns, row: Row | undefined, column: string | undefined, dims: string[]): Pick[] {
  if (!row) return [];
  const own = column ? pickOf(cols, column, row[column]) : null;
  if (own) return [own];
  return dims.map((d) => pickOf(cols, d, row[d])).filter((p): p is Pick => !!p);
}

function gridEvents(cols: Columns, dims: string[], onSelect?: SelectHandler) {
  if (!onSelect) return {};
  return {
    onCellClicked: (e: CellClickedEvent<Row>) => onSelect(rowPicks(cols, e.data, e.colDef.field, dims), 'click'),
    onCellContextMenu: (e: CellContextMenuEvent<Row>) => {
      const ev = e.event as MouseEvent | null;
      ev?.preventDefault();
      onSelect(rowPicks(cols, e.data, e.colDef.field, dims), 'menu', ev ? { x: ev.clientX, y: ev.clientY } : undefined);
    },
  };
}

function TableView({ answer, cols, onSelect }: { answer: QueryAnswer; cols: Columns; onSelect?: SelectHandler }) {
  const columns = useMemo<ColDef<Row>[]>(() => Object.entries(cols.all).map(([field, a]) => {
    const headerName = a.title + (a.granularity ? ` (${a.granularity})` : '');
    return {
      field,
      headerName,
      type: a.type === 'number' ? 'numericColumn' : undefined,
      valueFormatter: (p) => fmt(p.value, a),
      minWidth: columnWidth(headerName, answer.data.slice(0, 500).map((r) => fmt(r[field], a))),
    };
  }), [cols, answer]);
  const dims = [...cols.dimensions, ...cols.times].map(([n]) => n);
  return <div className="chart-fill" data-selectable={onSelect ? 'true' : undefined}><DataGrid rows={answer.data} columns={columns} {...gridEvents(cols, dims, onSelect)} /></div>;
}

function PivotView({ answer, cols, viz, onSelect }: { answer: QueryAnswer; cols: Columns; viz: Viz; onSelect?: SelectHandler }) {
  const dims = [...cols.dimensions, ...cols.times].map(([n]) => n);
  const rowDims = viz.rows?.length ? viz.rows : dims.slice(0, 1);
  const colDims = viz.columns?.length ? viz.columns : dims.filter((d) => !rowDims.includes(d));
  const measures = cols.measures.map(([n]) => n);
  const { rows, columns } = useMemo(() => {
    const p = pivot(answer.data, rowDims, colDims, measures);
    const columns: ColDef<Row>[] = rowDims.map((d) => {
      const headerName = cols.all[d]?.title ?? d;
      return { field: d, headerName, pinned: 'left' as const, valueFormatter: (x) => fmt(x.value, cols.all[d]),
        minWidth: columnWidth(headerName, p.rows.map((r) => fmt(r.key[rowDims.indexOf(d)], cols.all[d]))) };
    });
    for (const ck of p.columnKeys) {
      for (const m of measures) {
        const id = p.cellId(ck, m);
        const label = ck.map((v, i) => fmt(v, cols.all[colDims[i]])).join(' · ');
        const headerName = measures.length > 1 ? `${label} · ${cols.all[m].title}` : label || cols.all[m].title;
        columns.push({ colId: id, headerName,
          valueGetter: (x) => (x.data as Row)?.[id], type: 'numericColumn', valueFormatter: (x) => fmt(x.value, cols.all[m]),
          minWidth: columnWidth(headerName, p.rows.map((r) => fmt(r.cells[id] ?? null, cols.all[m]))) });
      }
    }
    for (const m of measures) {
      const headerName = measures.length > 1 ? `Total ${cols.all[m].title}` : 'Total';
      columns.push({ colId: `total:${m}`, headerName, type: 'numericColumn',
        valueGetter: (x) => (x.data as Row)?.[`total:${m}`], valueFormatter: (x) => fmt(x.value, cols.all[m]), cellStyle: { fontWeight: 600 },
        minWidth: columnWidth(headerName, p.rows.map((r) => fmt(r.total[m] ?? null, cols.all[m]))) });
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
  return <div className="chart-fill" data-selectable={onSelect ? 'true' : undefined}><DataGrid rows={rows} columns={columns} {...gridEvents(cols, rowDims, onSelect)} /></div>;
}

/** An axis title: the viz's own ('' for none), else the member's. */
function axisName(own: string | undefined, fallback: string | undefined) {
  return own !== undefined ? own || undefined : fallback;
}

function SeriesChart({ answer, cols, viz, onSelect }: { answer: QueryAnswer; cols: Columns; viz: Viz; onSelect?: SelectHandler }) {
  // colours given to series and slices, kept while the chart lives (a filter keeps them)
  const colours = useRef(new Map<string, string>());
  const selectable = !!onSelect;
  const built = useMemo(() => {
    const time = cols.times[0]?.[0] ?? null;
    const dims = cols.dimensions.map(([n]) => n);
    const x = time ?? dims[0] ?? null;
    const split = time ? dims[0] ?? null : dims[1] ?? null;
    const measures = cols.measures.map(([n]) => n);
    const titles = Object.fromEntries(cols.measures.map(([n, a]) => [n, a.title]));
    const xAnn = x ? cols.all[x] : undefined;
    const mAnn = cols.all[measures[0]];
    const legendTop = { type: 'scroll', top: 0 };
    // what a click on data index i of series s picks
    let picksAt: (seriesIndex: number, dataIndex: number) => Pick[] = () => [];

    if (viz.type === 'pie' || viz.type === 'funnel') {
      const s = toSeries(answer.data, x, measures.slice(0, 1), null, titles);
      const names = s.categories.map((c) => fmt(c, xAnn));
      const colour = assignColours(names, colours.current);
      const values = s.categories.map((_, i) => s.series[0]?.data[i] ?? 0);
      const total = values.reduce<number>((a, b) => a + (b ?? 0), 0);
      const data = names.map((name, i) => ({ name, value: values[i], itemStyle: { color: colour[i] } }));
      picksAt = (_s, i) => [pickOf(cols, x, s.categories[i])].filter((p): p is Pick => !!p);
      const share = (v: number) => (total ? `${((v / total) * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%` : '');
      const option: EChartsOption = viz.type === 'pie' ? {
        tooltip: { trigger: 'item', valueFormatter: (v: unknown) => fmt(v, mAnn) },
        legend: { type: 'scroll', bottom: 0 },
        series: [{ type: 'pie', radius: ['40%', '70%'], center: ['50%', '45%'], avoidLabelOverlap: true,
          label: viz.percentLabels === false ? { show: false } : { show: true, formatter: (p: { percent: number }) => `${p.percent.toLocaleString('en-US', { maximumFractionDigits: 1 })}%` },
          labelLine: { show: viz.percentLabels !== false, length: 6, length2: 6 },
          data }],
      } : {
        tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${p.name}: ${fmt(p.value, mAnn)} (${share(p.value)})` },
        legend: { type: 'scroll', bottom: 0 },
        series: [{ type: 'funnel', sort: 'descending', left: '10%', width: '80%', top: 8, bottom: 32, minSize: '8%', gap: 2,
          label: { show: true, position: 'inside', formatter: (p: { name: string; value: number }) => `${p.name} ${share(p.value)}` },
          data }],
      };
      return { option, picksAt };
    }

    if (viz.type === 'scatter') {
      // each row a point: x the first measure, y the second, named by the dimension(s)
      const [mx, my] = measures;
      if (!mx || !my) return { option: null, picksAt, problem: 'A scatter chart needs two measures (x and y)' };
      const label = dims[0] ?? time;
      const groups = new Map<string, { rows: Row[] }>();
      const groupBy = dims[1] ?? null;
      for (const r of answer.data) {
        const g = groupBy ? String(r[groupBy] ?? '∅') : titles[my] ?? my;
        if (!groups.has(g)) groups.set(g, { rows: [] });
        groups.get(g)!.rows.push(r);
      }
      const names = [...groups.keys()];
      const colour = assignColours(names, colours.current);
      const series = names.map((n, si) => ({
        name: n, type: 'scatter', symbolSize: 10, itemStyle: { color: colour[si] },
        data: groups.get(n)!.rows.map((r) => ({ value: [toNumber(r[mx]), toNumber(r[my])], name: label ? fmt(r[label], cols.all[label]) : '' })),
      }));
      picksAt = (si, di) => {
        const r = groups.get(names[si])?.rows[di];
        return r ? [label, groupBy].map((c) => pickOf(cols, c, c ? r[c] : null)).filter((p): p is Pick => !!p) : [];
      };
      const xA = cols.all[mx];
      const yA = cols.all[my];
      const option: EChartsOption = {
        tooltip: { trigger: 'item', formatter: (p: { name: string; value: [number, number] }) => `${p.name}<br/>${xA.title}: ${fmt(p.value[0], xA)}<br/>${yA.title}: ${fmt(p.value[1], yA)}` },
        legend: names.length > 1 ? legendTop : undefined,
        grid: { left: 8, right: 24, top: names.length > 1 ? 36 : 24, bottom: 24, containLabel: true },
        xAxis: { type: 'value', scale: true, name: axisName(viz.xTitle, xA.title), nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: (v: number) => fmt(v, xA, true) } },
        yAxis: { type: 'value', scale: true, name: axisName(viz.yTitle, yA.title), axisLabel: { formatter: (v: number) => fmt(v, yA, true) } },
        series,
      };
      return { option, picksAt };
    }

    if (viz.type === 'heatmap') {
      // x the time or first dimension, y the (next) dimension, colour the first measure
      const y = split;
      if (!x || !y || !measures[0]) return { option: null, picksAt, problem: 'A heatmap needs two dimensions (or a time dimension and a dimension) and a measure' };
      const xs: string[] = [];
      const ys: string[] = [];
      const xi = new Map<string, number>();
      const yi = new Map<string, number>();
      const cells: [number, number, number | null][] = [];
      for (const r of answer.data) {
        const kx = String(r[x] ?? '∅');
        const ky = String(r[y] ?? '∅');
        if (!xi.has(kx)) { xi.set(kx, xs.length); xs.push(kx); }
        if (!yi.has(ky)) { yi.set(ky, ys.length); ys.push(ky); }
        cells.push([xi.get(kx)!, yi.get(ky)!, toNumber(r[measures[0]])]);
      }
      const values = cells.map((c) => c[2]).filter((v): v is number => v !== null);
      picksAt = (_s, di) => {
        const c = cells[di];
        return c ? [pickOf(cols, x, xs[c[0]]), pickOf(cols, y, ys[c[1]])].filter((p): p is Pick => !!p) : [];
      };
      const option: EChartsOption = {
        tooltip: { trigger: 'item', formatter: (p: { value: [number, number, number] }) => `${fmt(xs[p.value[0]], xAnn)} · ${fmt(ys[p.value[1]], cols.all[y])}<br/>${mAnn.title}: ${fmt(p.value[2], mAnn)}` },
        grid: { left: 8, right: 16, top: 12, bottom: 48, containLabel: true },
        xAxis: { type: 'category', data: xs.map((c) => fmt(c, xAnn)), splitArea: { show: true }, name: axisName(viz.xTitle, xAnn?.title), nameLocation: 'middle', nameGap: 26 },
        yAxis: { type: 'category', data: ys.map((c) => fmt(c, cols.all[y])), splitArea: { show: true }, name: axisName(viz.yTitle, cols.all[y]?.title) },
        visualMap: { min: values.length ? Math.min(...values) : 0, max: values.length ? Math.max(...values) : 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, itemWidth: 10,
          formatter: (v: number) => fmt(v, mAnn, true), inRange: { color: ['#eff6ff', '#93c5fd', '#2563eb', '#1e3a8a'] } },
        series: [{ type: 'heatmap', name: mAnn.title, data: cells, label: { show: cells.length <= 60, formatter: (p: { value: [number, number, number] }) => fmt(p.value[2], mAnn, true) } }],
      };
      return { option, picksAt };
    }

    const s = toSeries(answer.data, x, viz.type === 'combo' ? measures.slice(0, 2) : measures, viz.type === 'combo' ? null : split, titles);
    const rawSplit = split && viz.type !== 'combo' ? s.series.map((ser) => ser.name) : null;
    picksAt = (si, di) => [pickOf(cols, x, s.categories[di]), rawSplit ? pickOf(cols, split, rawSplit[si]) : null].filter((p): p is Pick => !!p);
    const seriesNames = s.series.map((ser) => (rawSplit && split ? fmt(ser.name, cols.all[split]) : ser.name));
    const colour = assignColours(seriesNames, colours.current);
    const type = viz.type === 'bar' ? 'bar' : 'line';
    const combo = viz.type === 'combo';
    const m2Ann = cols.all[measures[1]];
    const legend = s.series.length > 1 ? legendTop : undefined;
    const yAxis = combo && m2Ann ? [
      { type: 'value', name: axisName(viz.yTitle, mAnn.title), axisLabel: { formatter: (v: number) => fmt(v, mAnn, true) } },
      { type: 'value', name: m2Ann.title, position: 'right', splitLine: { show: false }, axisLabel: { formatter: (v: number) => fmt(v, m2Ann, true) } },
    ] : { type: 'value', name: axisName(viz.yTitle, measures.length === 1 || split ? mAnn.title : undefined), axisLabel: { formatter: (v: number) => fmt(v, mAnn, true) } };
    const option: EChartsOption = {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => fmt(v, mAnn) },
      legend,
      grid: { left: 8, right: 16, top: legend ? 40 : 28, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: s.categories.map((c) => fmt(c, xAnn)), boundaryGap: type === 'bar' || combo,
        name: axisName(viz.xTitle, xAnn?.title), nameLocation: 'middle', nameGap: 26 },
      yAxis,
      series: s.series.map((ser, i) => {
        const t = combo ? (i === 0 ? 'bar' : 'line') : type;
        return {
          name: seriesNames[i], type: t, data: ser.data, smooth: t === 'line' && !!viz.smooth, showSymbol: combo || s.categories.length <= 1 || (selectable && s.categories.length <= 60),
          itemStyle: { color: colour[i] }, lineStyle: t === 'line' ? { color: colour[i] } : undefined,
          yAxisIndex: combo && i > 0 ? 1 : 0,
          stack: !combo && (viz.stacked || (viz.type === 'area' && split)) ? 'total' : undefined,
          areaStyle: viz.type === 'area' ? { opacity: 0.35, color: colour[i] } : undefined,
          barMaxWidth: 48,
        };
      }),
    };
    if (combo) option.tooltip = { trigger: 'axis' };
    // the x axis title sits under the labels: leave room for it
    if (option.xAxis && (option.xAxis as { name?: string }).name) option.grid = { ...(option.grid as object), bottom: 24 };
    return { option, picksAt };
  }, [answer, cols, viz, selectable]);
  if (!built.option) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={(built as { problem?: string }).problem} className="chart-empty chart-misfit" />;
  const handle = onSelect ? (p: ChartPoint, how: 'click' | 'menu', at?: { x: number; y: number }) => onSelect(built.picksAt(p.seriesIndex, p.dataIndex), how, at) : undefined;
  return <EChart option={built.option} onPoint={handle} />;
}
