import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { api, message, type Me } from '../api';

export default function LoginPage({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await api.login(v.username, v.password);
      onLogin(await api.me());
    } catch (e) {
      setError((e as { status?: number }).status === 401 ? 'Wrong username or password.' : message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login-page">
      <Card style={{ width: 380, boxShadow: '0 20px 50px rgba(0,0,0,.25)' }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 10, marginBottom: 8 }}>
          <img src="/favicon.svg" width={32} height={32} alt="" />
          <Typography.Title level={3} style={{ margin: 0 }}>Strata</Typography.Title>
        </div>
        <Typography.Paragraph type="secondary">Sign in to see dashboards, build charts and explore the models.</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label="Username" rules={[{ required: true, message: 'Enter your username' }]}>
            <Input prefix={<UserOutlined />} autoFocus autoComplete="username" id="username" />
          </Form.Item>
          <Form.Item name="password" label="Password" rules={[{ required: true, message: 'Enter your password' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" id="password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">Sign in</Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
          First start: user <code>admin</code>, with the password printed in the server log (also in <code>data/admin-password</code>).
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
