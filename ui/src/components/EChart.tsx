import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, CanvasRenderer]);

export type EChartsOption = echarts.EChartsCoreOption;

/**
 * An ECharts canvas that fills its parent, follows its size and redraws when `option` changes.
 * Sets `data-rendered` once a frame has been drawn (the end-to-end tests wait for it).
 */
export default function EChart({ option }: { option: EChartsOption }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const div = el.current!;
    const c = echarts.init(div, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => div.setAttribute('data-rendered', 'true'));
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

  return <div ref={el} className="chart-fill echart" />;
}
