import { useCallback, useEffect, useMemo, useState } from 'react';
import DashboardThumbnail from '../components/DashboardThumbnail';
import { useNavigate } from 'react-router-dom';
import { App, Button, Card, Col, Empty, Form, Input, Modal, Row, Segmented, Select, Skeleton, Space, Tag, Tooltip, Typography, Upload } from 'antd';
import { AppstoreOutlined, DeleteOutlined, PlusOutlined, StarFilled, StarOutlined, UploadOutlined, UserOutlined } from '@ant-design/icons';
import { modifiedAgo, visibleDashboards, type DashboardSort } from '../lib/dashboards';
import { api, message, type Me } from '../api';
import type { Dashboard } from '../lib/types';

export default function DashboardsPage({ me }: { me: Me }) {
  const navigate = useNavigate();
  const { modal, message: toast } = App.useApp();
  const [list, setList] = useState<Dashboard[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const canEdit = me.role !== 'viewer';
  const load = useCallback(() => { api.dashboards().then(setList, (e) => toast.error(message(e))); }, [toast]);
  useEffect(load, [load]);
  const [search, setSearch] = useState('');
  const [scope, setScope] = useState<'all' | 'favourites'>('all');
  const [sort, setSort] = useState<DashboardSort>('name');
  const shown = useMemo(() => (list ? visibleDashboards(list, { search, favouritesOnly: scope === 'favourites', sort }) : null), [list, search, scope, sort]);

  const star = async (d: Dashboard) => {
    const on = !d.favourite;
    setList((l) => l?.map((x) => (x.id === d.id ? { ...x, favourite: on } : x)) ?? l);
    try {
      await api.favourite(d.id, on);
    } catch (e) {
      setList((l) => l?.map((x) => (x.id === d.id ? { ...x, favourite: !on } : x)) ?? l);
      toast.error(`Not ${on ? 'added to' : 'removed from'} favourites: ${message(e)}`);
    }
  };

  const create = async () => {
    const v = await form.validateFields();
    try {
      const d = await api.createDashboard({ name: v.name, description: v.description });
      setCreating(false);
      form.resetFields();
      navigate(`/dashboards/${d.id}`);
    } catch (e) {
      toast.error(message(e));
    }
  };

  const importFile = async (file: File) => {
    try {
      const d = await api.importDashboard(JSON.parse(await file.text()));
      toast.success(`Imported “${d.name}”`);
      load();
    } catch (e) {
      toast.error(`Import failed: ${message(e)}`);
    }
    return false;
  };

  return (
    <div>
      <div className="page-title">
        <Typography.Title level={2}>Dashboards</Typography.Title>
        {canEdit && (
          <Space>
            <Upload accept=".json,application/json" showUploadList={false} beforeUpload={importFile}>
              <Button icon={<UploadOutlined />}>Import</Button>
            </Upload>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>New dashboard</Button>
          </Space>
        )}
      </div>
      {list && list.length > 0 && (
        <Space wrap style={{ marginBottom: 16 }} data-testid="dashboard-toolbar">
          <Input.Search allowClear placeholder="Search name, description or owner" value={search} onChange={(e) => setSearch(e.target.value)}
            style={{ width: 320 }} data-testid="dashboard-search" aria-label="Search dashboards" />
          <Segmented value={scope} onChange={(v) => setScope(v as 'all' | 'favourites')} data-testid="dashboard-scope"
            options={[{ value: 'all', label: 'All' }, { value: 'favourites', label: <span><StarFilled style={{ color: '#f59e0b' }} /> Favourites</span> }]} />
          <Select value={sort} onChange={setSort} style={{ width: 190 }} aria-label="Sort dashboards" data-testid="dashboard-sort"
            options={[{ value: 'name', label: 'Sort by name' }, { value: 'modified', label: 'Recently modified first' }]} />
          <Typography.Text type="secondary" data-testid="dashboard-count">{shown!.length} of {list.length}</Typography.Text>
        </Space>
      )}
      {!list ? <Skeleton active /> : list.length === 0 ? <Empty description="No dashboards yet" />
        : shown!.length === 0 ? <Empty description={scope === 'favourites' && !search ? 'No favourites yet: star a dashboard to keep it here' : 'No dashboard matches'} data-testid="dashboard-none" /> : (
        <Row gutter={[16, 16]}>
          {shown!.map((d) => (
            <Col key={d.id} xs={24} md={12} xl={8}>
              <Card
                hoverable
                onClick={() => navigate(`/dashboards/${d.id}`)}
                data-testid="dashboard-card"
                data-name={d.name}
                data-favourite={d.favourite ? 'true' : 'false'}
                cover={<DashboardThumbnail id={d.id} updatedAt={d.updatedAt} />}
                actions={canEdit ? [
                  <span key="del" onClick={(e) => { e.stopPropagation(); modal.confirm({ title: `Delete “${d.name}”?`, content: 'The dashboard and its charts are deleted.', okButtonProps: { danger: true }, okText: 'Delete', onOk: async () => { await api.deleteDashboard(d.id); load(); } }); }}><DeleteOutlined /> Delete</span>,
                ] : undefined}
              >
                <Card.Meta
                  avatar={<AppstoreOutlined style={{ fontSize: 28, color: '#1d4ed8' }} />}
                  title={<div style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
                    <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>{d.name}</span>
                    <Tooltip title={d.favourite ? 'Remove from favourites' : 'Add to favourites'}>
                      <Button type="text" size="small" aria-label={d.favourite ? 'Remove from favourites' : 'Add to favourites'} aria-pressed={!!d.favourite}
                        data-testid="favourite" icon={d.favourite ? <StarFilled style={{ color: '#f59e0b' }} /> : <StarOutlined />}
                        onClick={(e) => { e.stopPropagation(); star(d); }} />
                    </Tooltip>
                  </div>}
                  description={<>
                    <div style={{ minHeight: 44 }}>{d.description || 'No description'}</div>
                    <Space size={4} wrap style={{ marginTop: 8 }}>
                      <Tag>{d.chartCount} chart{d.chartCount === 1 ? '' : 's'}</Tag>
                      {d.owner && <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="dashboard-owner"><UserOutlined /> {d.owner}</Typography.Text>}
                      <Tooltip title={new Date(d.updatedAt).toLocaleString()}>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="dashboard-modified">· modified {modifiedAgo(d.updatedAt)}</Typography.Text>
                      </Tooltip>
                    </Space>
                  </>}
                />
              </Card>
            </Col>
          ))}
        </Row>
      )}
      <Modal title="New dashboard" open={creating} onOk={create} onCancel={() => setCreating(false)} okText="Create">
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="Name" rules={[{ required: true, message: 'Give the dashboard a name' }]}><Input /></Form.Item>
          <Form.Item name="description" label="Description"><Input.TextArea rows={2} /></Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
