// Light or dark, remembered per browser; the first visit follows the system's preference.

export type ThemeMode = 'light' | 'dark';
export const THEME_KEY = 'strata.theme';

export function initialMode(storage: Pick<Storage, 'getItem'> | undefined, prefersDark: boolean): ThemeMode {
  try {
    const v = storage?.getItem(THEME_KEY);
    if (v === 'light' || v === 'dark') return v;
  } catch {
    // storage off: follow the system
  }
  return prefersDark ? 'dark' : 'light';
}

export function rememberMode(storage: Pick<Storage, 'setItem'> | undefined, mode: ThemeMode) {
  try {
    storage?.setItem(THEME_KEY, mode);
  } catch {
    // not remembered; the page still switches
  }
}
