import { useCallback, useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Avatar, Button, Dropdown, Layout, Menu, Spin, Typography } from 'antd';
import { AlertOutlined, AppstoreOutlined, BarChartOutlined, CodeOutlined, DatabaseOutlined, LogoutOutlined, SafetyOutlined, ScheduleOutlined, UserOutlined } from '@ant-design/icons';
import { api, UNAUTHORIZED_EVENT, type Me } from './api';
import { MetaProvider } from './meta';
import LoginPage from './pages/LoginPage';
import DashboardsPage from './pages/DashboardsPage';
import DashboardPage from './pages/DashboardPage';
import ChartEditorPage from './pages/ChartEditorPage';
import ModelsPage from './pages/ModelsPage';
import SqlPage from './pages/SqlPage';
import JobsPage from './pages/JobsPage';
import AccessPage from './pages/AccessPage';
import ReportsPage from './pages/ReportsPage';

const { Sider, Header, Content } = Layout;

export default function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => {
    api.me().then(setMe, () => setMe(null));
    const onUnauthorized = () => setMe(null);
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);

  const logout = useCallback(async () => {
    await api.logout().catch(() => undefined);
    setMe(null);
    navigate('/login');
  }, [navigate]);

  const selected = useMemo(() => {
    const p = location.pathname;
    if (p.startsWith('/charts')) return 'charts';
    if (p.startsWith('/models')) return 'models';
    if (p.startsWith('/sql')) return 'sql';
    if (p.startsWith('/jobs')) return 'jobs';
    if (p.startsWith('/access')) return 'access';
    if (p.startsWith('/reports')) return 'reports';
    return 'dashboards';
  }, [location.pathname]);

  if (me === undefined) {
    return <div style={{ height: '100vh', display: 'grid', placeItems: 'center' }}><Spin size="large" /></div>;
  }
  if (me === null) {
    const from = location.pathname === '/login' ? '/' : location.pathname + location.search;
    return (
      <Routes>
        <Route path="*" element={<LoginPage onLogin={(m) => { setMe(m); navigate(from === '/' ? '/dashboards' : from, { replace: true }); }} />} />
      </Routes>
    );
  }

  // ?embed=1: the page alone, as the server's headless browser renders it for reports and thumbnails
  if (new URLSearchParams(location.search).get('embed') === '1') {
    return (
      <MetaProvider>
        <div className="strata-embed" style={{ padding: 16 }}>
          <Routes>
            <Route path="/dashboards/:id" element={<DashboardPage me={me} embed />} />
            <Route path="*" element={<Typography.Title level={3}>Page not found</Typography.Title>} />
          </Routes>
        </div>
      </MetaProvider>
    );
  }

  return (
    <MetaProvider>
      <Layout style={{ minHeight: '100vh' }}>
        <Sider width={220} breakpoint="lg" collapsedWidth={64} theme="dark">
          <div className="strata-logo"><img src="/favicon.svg" alt="" />Strata</div>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selected]}
            onClick={(e) => navigate(e.key === 'charts' ? '/charts/new' : `/${e.key}`)}
            items={[
              { key: 'dashboards', icon: <AppstoreOutlined />, label: 'Dashboards' },
              { key: 'charts', icon: <BarChartOutlined />, label: 'Chart builder' },
              { key: 'models', icon: <DatabaseOutlined />, label: 'Models' },
              { key: 'sql', icon: <CodeOutlined />, label: 'SQL editor' },
              { key: 'reports', icon: <AlertOutlined />, label: 'Reports & alerts' },
              { key: 'jobs', icon: <ScheduleOutlined />, label: 'Jobs' },
              ...(me.role === 'admin' ? [{ key: 'access', icon: <SafetyOutlined />, label: 'Access' }] : []),
            ]}
          />
        </Sider>
        <Layout>
          <Header className="strata-header">
            <Typography.Text type="secondary">Semantic layer · query acceleration</Typography.Text>
            <Dropdown menu={{ items: [{ key: 'logout', icon: <LogoutOutlined />, label: 'Log out', onClick: logout }] }}>
              <Button type="text" data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} style={{ marginRight: 8 }} />
                {me.username} <Typography.Text type="secondary" style={{ marginLeft: 6 }}>{me.role}</Typography.Text>
              </Button>
            </Dropdown>
          </Header>
          <Content className="strata-content">
            <Routes>
              <Route path="/" element={<Navigate to="/dashboards" replace />} />
              <Route path="/login" element={<Navigate to="/dashboards" replace />} />
              <Route path="/dashboards" element={<DashboardsPage me={me} />} />
              <Route path="/dashboards/:id" element={<DashboardPage me={me} />} />
              <Route path="/charts/new" element={<ChartEditorPage me={me} />} />
              <Route path="/charts/:id/edit" element={<ChartEditorPage me={me} />} />
              <Route path="/models" element={<ModelsPage me={me} />} />
              <Route path="/models/:name" element={<ModelsPage me={me} />} />
              <Route path="/sql" element={<SqlPage />} />
              <Route path="/jobs" element={<JobsPage me={me} />} />
              <Route path="/reports" element={<ReportsPage me={me} />} />
              <Route path="/access" element={<AccessPage me={me} />} />
              <Route path="*" element={<Typography.Title level={3}>Page not found</Typography.Title>} />
            </Routes>
          </Content>
        </Layout>
      </Layout>
    </MetaProvider>
  );
}
