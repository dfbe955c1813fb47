import { useMemo, useRef, useState } from 'react';
import { DatePicker, Select, Spin } from 'antd';
import dayjs from 'dayjs';
import { api } from '../api';
import { useMeta } from '../meta';
import { dimensionValuesQuery, type FilterState } from '../lib/query';
import { GRANULARITIES, type DashboardFilters } from '../lib/types';

/** Values of a dimension as the user types: a `contains` query over the dimension, at most 50. */
function ValuePicker({ member, value, onChange }: { member: string; value: string[]; onChange: (v: string[]) => void }) {
  const [options, setOptions] = useState<string[]>([]);
  const [loading, setLoading] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const seq = useRef(0);
  const search = (text: string) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(async () => {
      const n = ++seq.current;
      setLoading(true);
      try {
        const a = await api.query(dimensionValuesQuery(member, text, 50));
        if (n === seq.current) setOptions(a.data.map((r) => String(r[member] ?? '')).filter((s) => s !== ''));
      } catch {
        if (n === seq.current) setOptions([]);
      } finally {
        if (n === seq.current) setLoading(false);
      }
    }, 200);
  };
  const { members } = useMeta();
  return (
    <Select
      mode="multiple"
      allowClear
      showSearch
      filterOption={false}
      placeholder={`Any ${(members.get(member)?.title ?? member).toLowerCase()}`}
      aria-label={members.get(member)?.title ?? member}
      style={{ minWidth: 200, maxWidth: 320 }}
      value={value}
      onChange={onChange}
      onSearch={search}
      onDropdownVisibleChange={(open) => open && search('')}
      notFoundContent={loading ? <Spin size="small" /> : 'No matching values'}
      options={options.map((o) => ({ value: o, label: o }))}
      data-member={member}
      className="dimension-filter"
    />
  );
}

/** The dashboard's filter bar: dimension values, date range and time grain, applied to every chart. */
export default function FilterBar({ filters, state, onChange, extra }: { filters: DashboardFilters; state: FilterState; onChange: (s: FilterState) => void; extra?: React.ReactNode }) {
  const { members } = useMeta();
  const range = useMemo(() => (state.dateRange ? [dayjs(state.dateRange[0]), dayjs(state.dateRange[1])] as [dayjs.Dayjs, dayjs.Dayjs] : null), [state.dateRange]);
  return (
    <div className="filter-bar" data-testid="filter-bar">
      {(filters.dimensions ?? []).map((m) => (
        <div className="filter" key={m}>
          <label>{members.get(m)?.title ?? m}</label>
          <ValuePicker member={m} value={state.values[m] ?? []} onChange={(v) => onChange({ ...state, values: { ...state.values, [m]: v } })} />
        </div>
      ))}
      {filters.timeDimension && (
        <div className="filter">
          <label>{members.get(filters.timeDimension)?.title ?? filters.timeDimension}</label>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => v && v[0] && v[1] && onChange({ ...state, dateRange: [v[0].format('YYYY-MM-DD'), v[1].format('YYYY-MM-DD')] })}
            presets={[
              { label: '2024', value: [dayjs('2024-01-01'), dayjs('2024-12-31')] },
              { label: '2023', value: [dayjs('2023-01-01'), dayjs('2023-12-31')] },
              { label: 'H2 2024', value: [dayjs('2024-07-01'), dayjs('2024-12-31')] },
              { label: 'Last 90 days', value: [dayjs().subtract(89, 'day'), dayjs()] },
            ]}
            data-testid="date-range"
          />
        </div>
      )}
      {filters.timeDimension && (
        <div className="filter">
          <label>Time grain</label>
          <Select
            style={{ width: 120 }}
            aria-label="Time grain"
            value={state.granularity ?? filters.granularity ?? 'month'}
            onChange={(g) => onChange({ ...state, granularity: g })}
            options={GRANULARITIES.map((g) => ({ value: g, label: g[0].toUpperCase() + g.slice(1) }))}
            data-testid="grain"
          />
        </div>
      )}
      <div style={{ flex: 1 }} />
      {extra}
    </div>
  );
}
