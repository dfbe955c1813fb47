// The chart editor's form, and the semantic query it stands for.

import type { Filter, Meta, MemberMeta, SemanticQuery, Viz } from './types';

export interface EditorState {
  title: string;
  /** "model:orders" or "view:sales" */
  source: string | null;
  measures: string[];
  dimensions: string[];
  timeDimension: string | null;
  granularity: string | null;
  dateRange: [string, string] | null;
  filters: Filter[];
  order: { member: string; dir: 'asc' | 'desc' } | null;
  limit: number | null;
  viz: Viz;
}

export const EMPTY_EDITOR: EditorState = {
  title: '', source: null, measures: [], dimensions: [], timeDimension: null, granularity: null,
  dateRange: null, filters: [], order: null, limit: null, viz: { type: 'bar' },
};

/** The semantic query of the form; null until it has a measure or a dimension. */
export function buildQuery(s: EditorState): SemanticQuery | null {
  if (!s.measures.length && !s.dimensions.length) return null;
  const q: SemanticQuery = {};
  if (s.measures.length) q.measures = [...s.measures];
  if (s.dimensions.length) q.dimensions = [...s.dimensions];
  if (s.timeDimension) {
    const t: { dimension: string; granularity?: string; dateRange?: [string, string] } = { dimension: s.timeDimension };
    if (s.granularity) t.granularity = s.granularity;
    if (s.dateRange) t.dateRange = s.dateRange;
    q.timeDimensions = [t];
  }
  const filters = s.filters.filter((f) => f.member && f.operator && (['set', 'notSet'].includes(f.operator) || (f.values ?? []).length > 0));
  if (filters.length) q.filters = filters.map((f) => ({ ...f, values: ['set', 'notSet'].includes(f.operator) ? undefined : f.values }));
  if (s.order) {
    const m = s.order.member === s.timeDimension && s.granularity ? `${s.timeDimension}.${s.granularity}` : s.order.member;
    q.order = [[m, s.order.dir]];
  } else if (s.timeDimension && s.granularity) {
    q.order = [[`${s.timeDimension}.${s.granularity}`, 'asc']];
  }
  if (s.limit) q.limit = s.limit;
  return q;
}

/** The form for a stored chart (the inverse of buildQuery for the queries it writes). */
export function fromChart(title: string, q: SemanticQuery, viz: Viz, meta: Meta | null): EditorState {
  const td = q.timeDimensions?.[0];
  let order: EditorState['order'] = null;
  const o = Array.isArray(q.order) ? q.order[0] : q.order ? Object.entries(q.order)[0] : undefined;
  if (o) {
    const member = td && o[0] === `${td.dimension}.${td.granularity}` ? td.dimension : o[0];
    const implicit = td?.granularity && member === td.dimension && o[1] === 'asc';
    if (!implicit) order = { member, dir: o[1] as 'asc' | 'desc' };
  }
  const first = [...(q.measures ?? []), ...(q.dimensions ?? [])][0];
  return {
    title,
    source: first ? sourceOf(first, meta) : null,
    measures: q.measures ?? [],
    dimensions: q.dimensions ?? [],
    timeDimension: td?.dimension ?? null,
    granularity: td?.granularity ?? null,
    dateRange: Array.isArray(td?.dateRange) ? [td!.dateRange[0], td!.dateRange[1]] : null,
    filters: (q.filters ?? []).map((f) => ({ ...f, values: f.values ?? [] })),
    order,
    limit: q.limit ?? null,
    viz,
  };
}

function sourceOf(member: string, meta: Meta | null): string {
  const prefix = member.split('.')[0];
  if (meta?.views.some((v) => v.name === prefix)) return `view:${prefix}`;
  return `model:${prefix}`;
}

/**
 * The members a query from `source` can use: a view's columns, or a model's members and those of
 * every model reachable through its joins (the chosen model's first).
 */
export function membersOf(source: string | null, meta: Meta | null): MemberMeta[] {
  if (!source || !meta) return [];
  const [kind, name] = source.split(':');
  if (kind === 'view') {
    const v = meta.views.find((x) => x.name === name);
    return (v?.columns ?? []).map((c) => ({ name: c.name, shortName: c.name.slice(name.length + 1), kind: c.kind as MemberMeta['kind'], type: c.type, title: c.title, description: c.description, format: c.format }));
  }
  const byName = new Map(meta.models.map((m) => [m.name, m]));
  const seen: string[] = [];
  const visit = (n: string) => {
    if (seen.includes(n) || !byName.has(n)) return;
    seen.push(n);
    byName.get(n)!.joins.forEach((j) => visit(j.model));
  };
  visit(name);
  // models that join *to* this one can be reached too (their measures aggregate before the join)
  for (const m of meta.models) if (m.joins.some((j) => j.model === name)) visit(m.name);
  return seen.flatMap((n) => {
    const m = byName.get(n)!;
    return [...m.measures, ...m.metrics, ...m.dimensions];
  });
}
