// The theme: antd's default or dark algorithm, switched from the header and remembered
// (lib/themeMode). Also sets <html data-theme> so plain CSS (strata-theme.css) follows.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ConfigProvider, theme } from 'antd';
import { initialMode, rememberMode, type ThemeMode } from './lib/themeMode';
import './strata-theme.css';

// No web fonts: the system font stack only, so nothing is fetched at run time.
const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

const Ctx = createContext<{ mode: ThemeMode; toggle: () => void }>({ mode: 'light', toggle: () => undefined });

const storage = () => (typeof window === 'undefined' ? undefined : window.localStorage);

export function ThemeModeProvider({ children }: { children: ReactNode }) {
  const [mode, setMode] = useState<ThemeMode>(() => initialMode(storage(), typeof window !== 'undefined' && !!window.matchMedia?.('(prefers-color-scheme: dark)').matches));
  useEffect(() => {
    document.documentElement.dataset.theme = mode;
    document.documentElement.style.colorScheme = mode;
  }, [mode]);
  const toggle = useCallback(() => setMode((m) => {
    const next = m === 'dark' ? 'light' : 'dark';
    rememberMode(storage(), next);
    return next;
  }), []);
  const config = useMemo(() => ({
    algorithm: mode === 'dark' ? theme.darkAlgorithm : theme.defaultAlgorithm,
    token: {
      colorPrimary: mode === 'dark' ? '#3b82f6' : '#1d4ed8', borderRadius: 6, fontFamily: FONT,
      // secondary text readable at WCAG AA (4.5:1) on the page and on cards
      ...(mode === 'dark'
        ? { colorTextSecondary: 'rgba(255,255,255,0.72)', colorTextDescription: 'rgba(255,255,255,0.72)', colorTextTertiary: 'rgba(255,255,255,0.62)', colorTextPlaceholder: 'rgba(255,255,255,0.55)' }
        : { colorTextSecondary: 'rgba(0,0,0,0.66)', colorTextDescription: 'rgba(0,0,0,0.66)', colorTextTertiary: 'rgba(0,0,0,0.6)', colorTextPlaceholder: 'rgba(0,0,0,0.55)' }),
    },
  }), [mode]);
  const value = useMemo(() => ({ mode, toggle }), [mode, toggle]);
  return <Ctx.Provider value={value}><ConfigProvider theme={config}>{children}</ConfigProvider></Ctx.Provider>;
}

export function useThemeMode() {
  return useContext(Ctx);
}
