import { useEffect, useMemo, useState } from 'react';
import { DatePicker, Divider, Form, Input, Modal, Select, Typography } from 'antd';
import { api, ApiError, message, type JobSchedule } from '../api';
import dayjs from 'dayjs';
import { useMeta } from '../meta';
import { GRANULARITIES, type Dashboard, type DashboardFilters } from '../lib/types';

type WarmMode = 'off' | 'keep' | 'cron';

export interface DashboardSettingsValue { name: string; description?: string | null; filters: DashboardFilters }

/** Name, description and the filter bar of a dashboard: its time dimension, default range and grain, and the dimensions offered. */
export default function DashboardSettings({ dashboard, open, onCancel, onSave }: {
  dashboard: Dashboard; open: boolean; onCancel: () => void; onSave: (v: DashboardSettingsValue) => Promise<void>;
}) {
  const [form] = Form.useForm();
  const { meta } = useMeta();
  const [warm, setWarm] = useState<JobSchedule | null>(null);
  const options = useMemo(() => {
    const dims = (meta?.models ?? []).flatMap((m) => m.dimensions.map((d) => ({ ...d, model: m.title })));
    const label = (d: { title: string; name: string }) => `${d.title} (${d.name})`;
    return {
      time: dims.filter((d) => d.type === 'time').map((d) => ({ value: d.name, label: label(d) })),
      other: dims.filter((d) => d.type !== 'time' && !d.primaryKey).map((d) => ({ value: d.name, label: label(d) })),
    };
  }, [meta]);
  useEffect(() => {
    if (!open) return;
    // the dashboard's warm-up schedule, if it has one: a warmup job schedule naming it
    api.schedules().then((all) => {
      const mine = all.find((s) => s.kind === 'warmup' && (s.parameters as { dashboardId?: number })?.dashboardId === dashboard.id) ?? null;
      setWarm(mine);
      form.setFieldsValue({
        warmMode: !mine ? 'off' : mine.keepWarm ? 'keep' : 'cron',
        warmCron: mine?.cron ?? '', warmZone: mine?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      });
    }, () => setWarm(null));
    const f = dashboard.filters ?? {};
    form.setFieldsValue({
      name: dashboard.name, description: dashboard.description, timeDimension: f.timeDimension, granularity: f.granularity,
      dimensions: f.dimensions ?? [], dateRange: f.dateRange ? [dayjs(f.dateRange[0]), dayjs(f.dateRange[1])] : null,
    });
  }, [open, dashboard, form]);
  const ok = async () => {
    const v = await form.validateFields();
    const filters: DashboardFilters = { dimensions: v.dimensions ?? [] };
    if (v.timeDimension) {
      filters.timeDimension = v.timeDimension;
      if (v.granularity) filters.granularity = v.granularity;
      if (v.dateRange?.[0] && v.dateRange?.[1]) filters.dateRange = [v.dateRange[0].format('YYYY-MM-DD'), v.dateRange[1].format('YYYY-MM-DD')];
    }
    if (!(await saveWarmUp(v.warmMode ?? 'off', v.warmCron?.trim() ?? '', v.warmZone?.trim() ?? ''))) return;
    await onSave({ name: v.name, description: v.description || null, filters });
  };

  /** Replaces the warm-up schedule when its mode, cron or zone changed; false (field errors shown) when refused. */
  const saveWarmUp = async (mode: WarmMode, cron: string, timeZone: string): Promise<boolean> => {
    const before: WarmMode = !warm ? 'off' : warm.keepWarm ? 'keep' : 'cron';
    if (mode === before && (mode !== 'cron' || (cron === (warm?.cron ?? '') && timeZone === warm?.timeZone))) return true;
    if (mode === 'cron' && !cron) {
      form.setFields([{ name: 'warmCron', errors: ['Give a cron expression, or choose another warm-up'] }]);
      return false;
    }
    try {
      if (mode === 'keep') await api.submitJob({ kind: 'warmup', dashboardId: dashboard.id, keepWarm: true });
      if (mode === 'cron') await api.submitJob({ kind: 'warmup', dashboardId: dashboard.id, cron, timeZone: timeZone || 'UTC' });
      if (warm) await api.deleteSchedule(warm.id);
      return true;
    } catch (e) {
      const field = e instanceof ApiError && e.location === 'timeZone' ? 'warmZone' : 'warmCron';
      form.setFields([{ name: field, errors: [message(e)] }]);
      return false;
    }
  };
  const filter = (input: string, o?: { label?: string }) => (o?.label ?? '').toLowerCase().includes(input.toLowerCase());
  return (
    <Modal title="Dashboard settings" open={open} onCancel={onCancel} onOk={ok} okText="Save" width={560} destroyOnClose={false}>
      <Form form={form} layout="vertical">
        <Form.Item name="name" label="Name" rules={[{ required: true, message: 'Give the dashboard a name' }]}><Input /></Form.Item>
        <Form.Item name="description" label="Description"><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="dimensions" label="Filter by these dimensions" extra="Each gets a value picker with type-ahead in the filter bar.">
          <Select mode="multiple" options={options.other} showSearch filterOption={filter} />
        </Form.Item>
        <Form.Item name="timeDimension" label="Time dimension" extra="The date range and time grain of the filter bar apply to it in every chart.">
          <Select allowClear options={options.time} showSearch filterOption={filter} />
        </Form.Item>
        <Form.Item name="dateRange" label="Default date range"><DatePicker.RangePicker style={{ width: '100%' }} /></Form.Item>
        <Form.Item name="granularity" label="Default time grain"><Select allowClear options={GRANULARITIES.map((g) => ({ value: g, label: g }))} /></Form.Item>
        <Divider plain orientation="left">Cache warm-up</Divider>
        <Form.Item name="warmMode" label="Warm-up" data-testid="warm-mode"
          extra={<>Re-runs this dashboard&apos;s first view so viewers get cached answers. <b>Keep warm</b> runs it just before its cached answers expire (their model&apos;s refresh or the cache lifetime); a schedule runs it by cron.
            {warm && <Typography.Text type="secondary" data-testid="last-warmup"> Last warm-up: {warm.lastRunAt ? new Date(warm.lastRunAt).toLocaleString() : 'not yet'}.</Typography.Text>}</>}>
          <Select options={[{ value: 'off', label: 'Off' }, { value: 'keep', label: 'Keep warm (before the cache expires)' }, { value: 'cron', label: 'On a schedule (cron)' }]} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.warmMode !== b.warmMode}>
          {({ getFieldValue }) => getFieldValue('warmMode') === 'cron' && <>
            <Form.Item name="warmCron" label="Schedule (cron)" data-testid="warm-cron"
              extra={<>Six fields, seconds first: <code>0 */10 * * * *</code> is every 10 minutes.</>}>
              <Input placeholder="0 */10 * * * *" allowClear />
            </Form.Item>
            <Form.Item name="warmZone" label="Time zone of the schedule"><Input placeholder="Europe/Paris" /></Form.Item>
          </>}
        </Form.Item>
      </Form>
    </Modal>
  );
}
