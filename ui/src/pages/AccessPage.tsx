import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { api, ApiError, message, type Me } from '../api';
import {
  attributesToText, audience, parseAttributes, parseFilters, splitList,
  type Grant, type GrantKind, type Rule, type UserWithAttributes,
} from '../lib/access';

const EXAMPLE_FILTERS = '[\n  {"member": "customers.region", "operator": "equals", "values": ["{user.region}"]}\n]';

/** A server refusal with the field it names, as the form shows it. */
function refusal(e: unknown): string {
  return e instanceof ApiError && e.location ? `${e.location}: ${e.message}` : message(e);
}

/**
 * Row-level security rules, grants and user attributes (admins only; the server refuses the
 * routes to anyone else). See the README's "Row-level security and grants" for what they mean.
 */
export default function AccessPage({ me }: { me: Me }) {
  if (me.role !== 'admin') {
    return <Alert type="info" showIcon message="Only admins manage row-level security, grants and user attributes." />;
  }
  return (
    <div>
      <div className="page-title"><Typography.Title level={2}>Access</Typography.Title></div>
      <Tabs
        items={[
          { key: 'rules', label: 'Row-level security', children: <RulesTab /> },
          { key: 'grants', label: 'Grants', children: <GrantsTab /> },
          { key: 'attributes', label: 'User attributes', children: <AttributesTab /> },
        ]}
      />
    </div>
  );
}

function RulesTab() {
  const { message: toast } = App.useApp();
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(() => { api.rules().then(setRules, (e) => toast.error(message(e))); }, [toast]);
  useEffect(load, [load]);

  const open = (r: Rule | 'new') => {
    setError(null);
    setEditing(r);
  };
  // the form is mounted afresh for each rule (destroyOnClose), starting from these values
  const initial = editing === null || editing === 'new'
    ? { model: '', filters: EXAMPLE_FILTERS, roles: 'viewer', users: '', description: '' }
    : { model: editing.model, filters: JSON.stringify(editing.filters, null, 2), roles: editing.roles.join(', '), users: editing.users.join(', '), description: editing.description ?? '' };

  const save = async () => {
    const v = await form.validateFields();
    const filters = parseFilters(v.filters);
    if (!filters.ok) {
      setError(`filters: ${filters.error}`);
      return;
    }
    try {
      await api.saveRule({ model: v.model.trim(), filters: filters.value, roles: splitList(v.roles), users: splitList(v.users), description: v.description || null },
        editing !== 'new' && editing ? editing.id : undefined);
      setEditing(null);
      load();
    } catch (e) {
      setError(refusal(e));
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="new-rule">New rule</Button>
        <Typography.Text type="secondary">Rules that apply to a user are ANDed; admins are exempt.</Typography.Text>
      </Space>
      <Table<Rule>
        rowKey="id"
        loading={!rules}
        dataSource={rules ?? []}
        pagination={false}
        columns={[
          { title: 'Model', dataIndex: 'model' },
          { title: 'Filters', render: (_, r) => <Typography.Text code>{JSON.stringify(r.filters)}</Typography.Text> },
          { title: 'Applies to', render: (_, r) => audience(r.roles, r.users, 'rule') },
          { title: 'Description', dataIndex: 'description' },
          {
            title: '', width: 110, render: (_, r) => (
              <Space>
                <Button size="small" icon={<EditOutlined />} onClick={() => open(r)} aria-label="edit" />
                <Popconfirm title="Delete this rule?" onConfirm={() => api.deleteRule(r.id).then(load, (e) => toast.error(message(e)))}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label="delete" />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? 'New rule' : 'Edit rule'} onOk={save} onCancel={() => setEditing(null)} okText="Save" width={640} destroyOnClose>
        <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
          <Form.Item name="model" label="Model it protects" rules={[{ required: true, message: 'name the model' }]}><Input placeholder="customers" data-testid="rule-model" /></Form.Item>
          <Form.Item name="filters" label="Filters (semantic query filters; values may be {user.attribute})" rules={[{ required: true }]}>
            <Input.TextArea rows={6} style={{ fontFamily: 'monospace' }} data-testid="rule-filters" />
          </Form.Item>
          <Form.Item name="roles" label="Roles (editor, viewer; empty with no users = every non-admin)"><Input placeholder="viewer" /></Form.Item>
          <Form.Item name="users" label="Users"><Input placeholder="alice, bob" /></Form.Item>
          <Form.Item name="description" label="Description"><Input /></Form.Item>
        </Form>
        {error && <Alert type="error" showIcon message={error} data-testid="rule-error" />}
      </Modal>
    </>
  );
}

const KINDS: { value: GrantKind; label: string }[] = [
  { value: 'model', label: 'model' }, { value: 'view', label: 'view' },
  { value: 'member', label: 'member (model.member)' }, { value: 'data_source', label: 'data source (raw SQL)' },
];

function GrantsTab() {
  const { message: toast } = App.useApp();
  const [grants, setGrants] = useState<Grant[] | null>(null);
  const [editing, setEditing] = useState<Grant | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(() => { api.grants().then(setGrants, (e) => toast.error(message(e))); }, [toast]);
  useEffect(load, [load]);

  const open = (g: Grant | 'new') => {
    setError(null);
    setEditing(g);
  };
  const initial = editing === null || editing === 'new'
    ? { kind: 'model', target: '', roles: '', users: '', description: '' }
    : { kind: editing.kind, target: editing.target, roles: editing.roles.join(', '), users: editing.users.join(', '), description: editing.description ?? '' };

  const save = async () => {
    const v = await form.validateFields();
    try {
      await api.saveGrant({ kind: v.kind, target: v.target.trim(), roles: splitList(v.roles), users: splitList(v.users), description: v.description || null },
        editing !== 'new' && editing ? editing.id : undefined);
      setEditing(null);
      load();
    } catch (e) {
      setError(refusal(e));
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>New grant</Button>
        <Typography.Text type="secondary">A model, view or member without grants is open to all; data sources need a grant for raw SQL.</Typography.Text>
      </Space>
      <Table<Grant>
        rowKey="id"
        loading={!grants}
        dataSource={grants ?? []}
        pagination={false}
        columns={[
          { title: 'Kind', dataIndex: 'kind', render: (k: string) => <Tag>{k}</Tag> },
          { title: 'Target', dataIndex: 'target' },
          { title: 'Granted to', render: (_, g) => audience(g.roles, g.users, 'grant') },
          { title: 'Description', dataIndex: 'description' },
          {
            title: '', width: 110, render: (_, g) => (
              <Space>
                <Button size="small" icon={<EditOutlined />} onClick={() => open(g)} aria-label="edit" />
                <Popconfirm title="Delete this grant?" onConfirm={() => api.deleteGrant(g.id).then(load, (e) => toast.error(message(e)))}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label="delete" />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? 'New grant' : 'Edit grant'} onOk={save} onCancel={() => setEditing(null)} okText="Save" destroyOnClose>
        <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
          <Form.Item name="kind" label="Kind"><Select options={KINDS} /></Form.Item>
          <Form.Item name="target" label="Target" rules={[{ required: true, message: 'name what is granted' }]}><Input placeholder="products or customers.name" /></Form.Item>
          <Form.Item name="roles" label="Roles (editor, viewer; none and no users = hidden from non-admins)"><Input /></Form.Item>
          <Form.Item name="users" label="Users"><Input /></Form.Item>
          <Form.Item name="description" label="Description"><Input /></Form.Item>
        </Form>
        {error && <Alert type="error" showIcon message={error} />}
      </Modal>
    </>
  );
}

function AttributesTab() {
  const { message: toast } = App.useApp();
  const [users, setUsers] = useState<UserWithAttributes[] | null>(null);
  const [editing, setEditing] = useState<UserWithAttributes | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => { api.users().then(setUsers, (e) => toast.error(message(e))); }, [toast]);
  useEffect(load, [load]);

  const save = async () => {
    if (!editing) return;
    const parsed = parseAttributes(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    try {
      await api.setAttributes(editing.id, parsed.value);
      setEditing(null);
      load();
    } catch (e) {
      setError(refusal(e));
    }
  };

  return (
    <>
      <Table<UserWithAttributes>
        rowKey="id"
        loading={!users}
        dataSource={users ?? []}
        pagination={false}
        columns={[
          { title: 'User', dataIndex: 'username' },
          { title: 'Role', dataIndex: 'role' },
          {
            title: 'Attributes', render: (_, u) => Object.keys(u.attributes).length === 0
              ? <Typography.Text type="secondary">none</Typography.Text>
              : Object.entries(u.attributes).map(([k, v]) => <Tag key={k}>{k} = {v}</Tag>),
          },
          {
            title: '', width: 60, render: (_, u) => (
              <Button size="small" icon={<EditOutlined />} aria-label="edit attributes"
                onClick={() => { setError(null); setText(attributesToText(u.attributes)); setEditing(u); }} />
            ),
          },
        ]}
      />
      <Modal open={editing !== null} title={`Attributes of ${editing?.username ?? ''}`} onOk={save} onCancel={() => setEditing(null)} okText="Save" destroyOnClose>
        <Typography.Paragraph type="secondary">One <code>name = value</code> per line; rules use them as <code>{'{user.name}'}</code>.</Typography.Paragraph>
        <Input.TextArea rows={6} value={text} onChange={(e) => setText(e.target.value)} style={{ fontFamily: 'monospace' }} />
        {error && <Alert type="error" showIcon message={error} style={{ marginTop: 12 }} />}
      </Modal>
    </>
  );
}
