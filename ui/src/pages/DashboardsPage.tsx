import { useCallback, useEffect, useState } from 'react';
import DashboardThumbnail from '../components/DashboardThumbnail';
import { useNavigate } from 'react-router-dom';
import { App, Button, Card, Col, Empty, Form, Input, Modal, Row, Skeleton, Space, Tag, Typography, Upload } from 'antd';
import { AppstoreOutlined, DeleteOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
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
      {!list ? <Skeleton active /> : list.length === 0 ? <Empty description="No dashboards yet" /> : (
        <Row gutter={[16, 16]}>
          {list.map((d) => (
            <Col key={d.id} xs={24} md={12} xl={8}>
              <Card
                hoverable
                onClick={() => navigate(`/dashboards/${d.id}`)}
                data-testid="dashboard-card"
                data-name={d.name}
                cover={<DashboardThumbnail id={d.id} updatedAt={d.updatedAt} />}
                actions={canEdit ? [
                  <span key="del" onClick={(e) => { e.stopPropagation(); modal.confirm({ title: `Delete “${d.name}”?`, content: 'The dashboard and its charts are deleted.', okButtonProps: { danger: true }, okText: 'Delete', onOk: async () => { await api.deleteDashboard(d.id); load(); } }); }}><DeleteOutlined /> Delete</span>,
                ] : undefined}
              >
                <Card.Meta
                  avatar={<AppstoreOutlined style={{ fontSize: 28, color: '#1d4ed8' }} />}
                  title={d.name}
                  description={<>
                    <div style={{ minHeight: 44 }}>{d.description || 'No description'}</div>
                    <Space size={4} style={{ marginTop: 8 }}>
                      <Tag>{d.chartCount} chart{d.chartCount === 1 ? '' : 's'}</Tag>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>updated {new Date(d.updatedAt).toLocaleDateString()}</Typography.Text>
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
