// The catalog (/api/v1/meta), loaded once per session and shared by every page.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from './api';
import type { MemberMeta, Meta } from './lib/types';

interface MetaState {
  meta: Meta | null;
  error: string | null;
  reload: () => void;
  /** every member by full name (model members and view columns) */
  members: Map<string, MemberMeta>;
}

const Ctx = createContext<MetaState>({ meta: null, error: null, reload: () => undefined, members: new Map() });

export function MetaProvider({ children }: { children: ReactNode }) {
  const [meta, setMeta] = useState<Meta | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.meta().then((m) => { setMeta(m); setError(null); }, (e) => setError(String(e.message ?? e)));
  }, []);
  useEffect(reload, [reload]);
  const members = useMemo(() => {
    const out = new Map<string, MemberMeta>();
    for (const m of meta?.models ?? []) for (const x of [...m.dimensions, ...m.measures, ...m.metrics, ...m.segments]) out.set(x.name, x);
    for (const v of meta?.views ?? []) {
      for (const c of v.columns) {
        out.set(c.name, { name: c.name, shortName: c.name.slice(v.name.length + 1), kind: c.kind as MemberMeta['kind'], type: c.type, title: c.title, description: c.description, format: c.format });
      }
    }
    return out;
  }, [meta]);
  return <Ctx.Provider value={{ meta, error, reload, members }}>{children}</Ctx.Provider>;
}

export function useMeta(): MetaState {
  return useContext(Ctx);
}
