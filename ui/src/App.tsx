import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Avatar, Button, Dropdown, Grid, Layout, Menu, Skeleton, Spin, Tooltip, Typography } from 'antd';
import { AlertOutlined, AppstoreOutlined, BarChartOutlined, BulbFilled, BulbOutlined, CodeOutlined, DatabaseOutlined, LogoutOutlined, MenuOutlined, SafetyOutlined, ScheduleOutlined, UserOutlined } from '@ant-design/icons';
import { api, UNAUTHORIZED_EVENT, type Me } from './api';
import { MetaProvider } from './meta';
import { useThemeMode } from './theme';
import LoginPage from './pages/LoginPage';

// Each page is its own chunk, loaded when first shown: a page's heavy parts (ECharts, AG Grid,
// CodeMirror) are parsed only on the pages that use them.
const pages = {
  dashboards: () => import('./pages/DashboardsPage'),
  dashboard: () => import('./pages/DashboardPage'),
  chart: () => import('./pages/ChartEditorPage'),
  models: () => import('./pages/ModelsPage'),
  sql: () => import('./pages/SqlPage'),
  jobs: () => import('./pages/JobsPage'),
  access: () => import('./pages/AccessPage'),
  reports: () => import('./pages/ReportsPage'),
};
const DashboardsPage = lazy(pages.dashboards);
const DashboardPage = lazy(pages.dashboard);
const ChartEditorPage = lazy(pages.chart);
const ModelsPage = lazy(pages.models);
const SqlPage = lazy(pages.sql);
const JobsPage = lazy(pages.jobs);
const AccessPage = lazy(pages.access);
const ReportsPage = lazy(pages.reports);

// The page being opened starts loading now, beside the session check, not after it.
{
  const p = typeof window === 'undefined' ? '' : window.location.pathname;
  const first = /^\/dashboards\/./.test(p) ? pages.dashboard : p === '/' || p.startsWith('/dashboards') ? pages.dashboards
    : p.startsWith('/charts') ? pages.chart : p.startsWith('/models') ? pages.models : p.startsWith('/sql') ? pages.sql
    : p.startsWith('/jobs') ? pages.jobs : p.startsWith('/reports') ? pages.reports : p.startsWith('/access') ? pages.access : null;
  first?.().catch(() => undefined);
}

const { Sider, Header, Content } = Layout;

const pageFallback = <Skeleton active paragraph={{ rows: 6 }} />;

/** Switches light and dark (remembered). */
function ThemeSwitch() {
  const { mode, toggle } = useThemeMode();
  const label = mode === 'dark' ? 'Switch to light mode' : 'Switch to dark mode';
  return (
    <Tooltip title={label}>
      <Button type="text" aria-label={label} aria-pressed={mode === 'dark'} data-testid="theme-toggle" data-theme-mode={mode}
        icon={mode === 'dark' ? <BulbFilled /> : <BulbOutlined />} onClick={toggle} />
    </Tooltip>
  );
}

export default function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  // phones: the menu folds away entirely (a button opens it) instead of taking 64 px of 390
  const narrow = screens.md === false;
  const [collapsed, setCollapsed] = useState(() => typeof window !== 'undefined' && window.innerWidth < 992);

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
          <Suspense fallback={pageFallback}>
            <Routes>
              <Route path="/dashboards/:id" element={<DashboardPage me={me} embed />} />
              <Route path="*" element={<Typography.Title level={3}>Page not found</Typography.Title>} />
            </Routes>
          </Suspense>
        </div>
      </MetaProvider>
    );
  }

  return (
    <MetaProvider>
      <Layout style={{ minHeight: '100vh' }}>
        <Sider width={220} breakpoint="lg" collapsedWidth={narrow ? 0 : 64} theme="dark" className="strata-sider"
          collapsed={collapsed} onCollapse={setCollapsed}
          trigger={narrow ? null : undefined} aria-label="Main menu">
          <div className="strata-logo"><img src="/favicon.svg" alt="" /><span className="strata-logo-name">Strata</span></div>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selected]}
            onClick={(e) => { navigate(e.key === 'charts' ? '/charts/new' : `/${e.key}`); if (narrow) setCollapsed(true); }}
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
            {narrow && <Button type="text" icon={<MenuOutlined />} aria-label={collapsed ? 'Open the menu' : 'Close the menu'} aria-expanded={!collapsed}
              data-testid="menu-toggle" onClick={() => setCollapsed((c) => !c)} />}
            <Typography.Text type="secondary" className="strata-tagline">Semantic layer · query acceleration</Typography.Text>
            <div className="strata-header-actions">
            <ThemeSwitch />
            <Dropdown menu={{ items: [{ key: 'logout', icon: <LogoutOutlined />, label: 'Log out', onClick: logout }] }}>
              <Button type="text" data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} style={{ marginRight: 8 }} />
                {me.username} <Typography.Text type="secondary" style={{ marginLeft: 6 }}>{me.role}</Typography.Text>
              </Button>
            </Dropdown>
            </div>
          </Header>
          <Content className="strata-content" id="main" role="main">
            <Suspense fallback={pageFallback}>
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
            </Suspense>
          </Content>
        </Layout>
      </Layout>
    </MetaProvider>
  );
}
