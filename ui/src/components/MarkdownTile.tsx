import { useMemo } from 'react';
import { Button, Card, Dropdown, Form, Input, Modal, type MenuProps } from 'antd';
import { DeleteOutlined, EditOutlined, MoreOutlined } from '@ant-design/icons';
import { marked } from 'marked';
import DOMPurify from 'dompurify';
import type { Chart } from '../lib/types';
import './dashboard.css';

/** Markdown as safe HTML: rendered by marked, then every script, handler and unsafe URL removed by DOMPurify. */
export function markdownHtml(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: false }) as string;
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
}

/** A text tile of a dashboard: its markdown, rendered safely; editors change its text or remove it. */
export default function MarkdownTile({ chart, style, onEdit, onDelete }: {
  chart: Chart; style?: React.CSSProperties; onEdit?: () => void; onDelete?: () => void;
}) {
  const html = useMemo(() => markdownHtml(chart.viz.text ?? ''), [chart.viz.text]);
  const menu = [
    onEdit && { key: 'edit', icon: <EditOutlined />, label: 'Edit text', onClick: onEdit },
    onDelete && { key: 'delete', icon: <DeleteOutlined />, label: 'Remove from dashboard', danger: true, onClick: onDelete },
  ].filter(Boolean) as NonNullable<MenuProps['items']>;
  return (
    <Card
      size="small"
      title={<span className="chart-title" title={chart.title}>{chart.title}</span>}
      style={style}
      className="chart-card text-tile"
      data-chart-title={chart.title}
      data-chart-id={chart.id}
      data-chart-type="markdown"
      data-chart-state="ready"
      extra={menu.length > 0 && <Dropdown menu={{ items: menu }} trigger={['click']}><Button type="text" size="small" icon={<MoreOutlined />} aria-label="Tile menu" data-testid="chart-menu" /></Dropdown>}
    >
      <div className="chart-body markdown-tile" data-testid="markdown-tile" dangerouslySetInnerHTML={{ __html: html }} />
    </Card>
  );
}

/** Title and markdown of a text tile, new or edited. */
export function MarkdownTileEditor({ open, initial, onCancel, onSave }: {
  open: boolean; initial?: { title: string; text: string }; onCancel: () => void; onSave: (v: { title: string; text: string }) => Promise<void>;
}) {
  const [form] = Form.useForm();
  const text: string = Form.useWatch('text', form) ?? '';
  const preview = useMemo(() => markdownHtml(text), [text]);
  return (
    <Modal
      open={open}
      title={initial ? 'Edit text tile' : 'Add a text tile'}
      okText="Save"
      onCancel={onCancel}
      onOk={async () => { const v = await form.validateFields(); await onSave({ title: v.title, text: v.text }); }}
      destroyOnClose
      width={720}
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={initial ?? { title: '', text: '' }}>
        <Form.Item name="title" label="Title" rules={[{ required: true, message: 'Give the tile a title' }]}><Input data-testid="tile-title" /></Form.Item>
        <Form.Item name="text" label="Markdown" rules={[{ required: true, whitespace: true, message: 'Write the text to show' }]}
          extra="Headings, lists, links, emphasis, tables; HTML is cleaned of scripts.">
          <Input.TextArea rows={8} data-testid="tile-text" />
        </Form.Item>
      </Form>
      <div className="markdown-tile markdown-preview" dangerouslySetInnerHTML={{ __html: preview }} />
    </Modal>
  );
}
