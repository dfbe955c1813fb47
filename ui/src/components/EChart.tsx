import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, FunnelChart, HeatmapChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, ScatterChart, HeatmapChart, FunnelChart, GridComponent, TooltipComponent, LegendComponent,
  DatasetComponent, VisualMapComponent, CanvasRenderer]);

export type EChartsOption = echarts.EChartsCoreOption;

/** The data item under a click: which series and which of its data. */
export interface ChartPoint { seriesIndex: number; dataIndex: number }

interface EventParams { componentType?: string; seriesIndex?: number; dataIndex?: number; event?: { event?: MouseEvent } }

/**
 * An ECharts canvas that fills its parent, follows its size and redraws when `option` changes.
 * Sets `data-rendered` once a frame has been drawn (the end-to-end tests wait for it).
 * `onPoint` hears a click ('click') or right click ('menu', at the mouse) on a data item.
 */
export default function EChart({ option, onPoint }: { option: EChartsOption; onPoint?: (p: ChartPoint, how: 'click' | 'menu', at?: { x: number; y: number }) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const handler = useRef(onPoint);
  handler.current = onPoint;

  useEffect(() => {
    const div = el.current!;
    const c = echarts.init(div, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => div.setAttribute('data-rendered', 'true'));
    const on = (how: 'click' | 'menu') => (p: EventParams) => {
      if (p.componentType !== 'series' || p.seriesIndex === undefined || p.dataIndex === undefined || !handler.current) return;
      const e = p.event?.event;
      if (how === 'menu') e?.preventDefault();
      handler.current({ seriesIndex: p.seriesIndex, dataIndex: p.dataIndex }, how, e ? { x: e.clientX, y: e.clientY } : undefined);
    };
    c.on('click', on('click') as never);
    c.on('contextmenu', on('menu') as never);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(div);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    el.current?.removeAttribute('data-rendered');
    chart.current?.setOption(option, true);
  }, [option]);

  // the canvas is a picture of the data: its drawing is described by the card's title
  return <div ref={el} className="chart-fill echart" data-selectable={onPoint ? 'true' : undefined} onContextMenu={onPoint ? (e) => e.preventDefault() : undefined} />;
}
