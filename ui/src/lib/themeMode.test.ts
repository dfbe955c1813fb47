import { describe, expect, it } from 'vitest';
import { initialMode, rememberMode, THEME_KEY } from './themeMode';

describe('theme mode', () => {
  it('is remembered, and follows the system until it is', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(initialMode(storage, false)).toBe('light');
    expect(initialMode(storage, true)).toBe('dark');
    rememberMode(storage, 'dark');
    expect(store.get(THEME_KEY)).toBe('dark');
    expect(initialMode(storage, false)).toBe('dark');
    store.set(THEME_KEY, 'purple');
    expect(initialMode(storage, false)).toBe('light');
    const broken = { getItem: () => { throw new Error('denied'); } };
    expect(initialMode(broken, true)).toBe('dark');
  });
});
