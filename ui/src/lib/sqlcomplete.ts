// SQL Lab autocomplete: the catalog the editor completes from (the `semantic` schema from
// /api/v1/meta, the data sources' own schemas from information_schema.columns), and the
// completion itself as a pure function of the text and the cursor (CodeEditor wraps it for
// CodeMirror, which filters and ranks the candidates by what was typed).

import type { Meta } from './types';

export interface CatalogColumn {
  name: string;
  type: string;
  /** dimension, measure, metric or segment for the semantic schema; column for a data source's tables */
  kind: string;
  title?: string;
  description?: string | null;
}

export interface CatalogTable {
  /** `semantic`, or a data source's schema as SQL names it: `demo.retail` */
  schema: string;
  name: string;
  kind: 'model' | 'view' | 'table';
  columns: CatalogColumn[];
}

export type OptionType = 'keyword' | 'function' | 'namespace' | 'class' | 'property' | 'variable';

export interface SqlOption {
  label: string;
  type: OptionType;
  detail?: string;
  info?: string;
  /** higher first, among equally good matches */
  boost?: number;
}

export const SEMANTIC = 'semantic';

/** The `semantic` schema: a table per view and per model, members as columns (segments are not columns). */
export function catalogFromMeta(meta: Meta | null): CatalogTable[] {
  if (!meta) return [];
  return [
    ...meta.views.map((v): CatalogTable => ({
      schema: SEMANTIC, name: v.name, kind: 'view',
      columns: v.columns.map((c) => ({ name: c.name.slice(v.name.length + 1), type: c.type, kind: c.kind, title: c.title, description: c.description })),
    })),
    ...meta.models.map((m): CatalogTable => ({
      schema: SEMANTIC, name: m.name, kind: 'model',
      columns: [...m.dimensions, ...m.measures, ...m.metrics].map((c) => ({ name: c.shortName, type: c.type, kind: c.kind, title: c.title, description: c.description })),
    })),
  ];
}

/** The statement the SQL Lab reads the data sources' own tables with (marked, so the history leaves it out). */
export const CATALOG_SQL = `/* strata:sql-lab catalog */ SELECT table_schema, table_name, column_name, data_type
FROM information_schema.columns
ORDER BY table_schema, table_name, ordinal_position`;

const SYSTEM_SCHEMAS = new Set([SEMANTIC, 'information_schema', 'pg_catalog']);

/** The data sources' tables from rows of [table_schema, table_name, column_name, data_type] (semantic and system schemas left out). */
export function catalogFromInformationSchema(rows: unknown[][]): CatalogTable[] {
  const tables = new Map<string, CatalogTable>();
  for (const [schema, table, column, type] of rows) {
    const s = String(schema);
    if (SYSTEM_SCHEMAS.has(s.toLowerCase())) continue;
    const key = `${s}\u0000${table}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { schema: s, name: String(table), kind: 'table', columns: [] }));
    t.columns.push({ name: String(column), type: String(type ?? ''), kind: 'column' });
  }
  return [...tables.values()];
}

/** Functions worth offering (Calcite's, plus Strata's MEASURE); keywords come from the SQL language itself. */
export const FUNCTIONS: { name: string; detail: string }[] = [
  { name: 'MEASURE', detail: 'a measure of a semantic table, aggregated by the query\'s GROUP BY' },
  { name: 'COUNT', detail: 'aggregate' }, { name: 'SUM', detail: 'aggregate' }, { name: 'AVG', detail: 'aggregate' },
  { name: 'MIN', detail: 'aggregate' }, { name: 'MAX', detail: 'aggregate' },
  { name: 'DATE_TRUNC', detail: "DATE_TRUNC('month', ts)" }, { name: 'EXTRACT', detail: 'EXTRACT(YEAR FROM ts)' },
  { name: 'CAST', detail: 'CAST(x AS type)' }, { name: 'COALESCE', detail: 'first non-null' }, { name: 'NULLIF', detail: '' },
  { name: 'LOWER', detail: 'text' }, { name: 'UPPER', detail: 'text' }, { name: 'TRIM', detail: 'text' }, { name: 'SUBSTRING', detail: 'text' },
  { name: 'CHAR_LENGTH', detail: 'text' }, { name: 'ROUND', detail: 'number' }, { name: 'ABS', detail: 'number' },
  { name: 'FLOOR', detail: 'number' }, { name: 'CEIL', detail: 'number' }, { name: 'CURRENT_DATE', detail: 'date' },
  { name: 'CURRENT_TIMESTAMP', detail: 'timestamp' },
];

const IDENT = /[A-Za-z0-9_$.]*$/;
const REF = /\b(?:from|join)\s+([A-Za-z0-9_$.]+)(?:\s+(?:as\s+)?([A-Za-z_][A-Za-z0-9_$]*))?/gi;
const NOT_ALIAS = new Set(['where', 'group', 'order', 'limit', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'on', 'union', 'having', 'natural', 'using', 'offset', 'fetch']);

function findTable(catalog: CatalogTable[], ref: string): CatalogTable | undefined {
  const r = ref.toLowerCase();
  return catalog.find((t) => `${t.schema}.${t.name}`.toLowerCase() === r || `strata.${t.schema}.${t.name}`.toLowerCase() === r)
    // the semantic schema is the default one: `orders` is `semantic.orders`
    ?? catalog.find((t) => t.schema === SEMANTIC && t.name.toLowerCase() === r);
}

/** The tables a statement names in FROM and JOIN, by their alias or name (lower case). */
export function referencedTables(catalog: CatalogTable[], text: string): Map<string, CatalogTable> {
  const out = new Map<string, CatalogTable>();
  for (const m of text.matchAll(REF)) {
    const t = findTable(catalog, m[1]);
    if (!t) continue;
    out.set(t.name.toLowerCase(), t);
    out.set(m[1].toLowerCase(), t);
    if (m[2] && !NOT_ALIAS.has(m[2].toLowerCase())) out.set(m[2].toLowerCase(), t);
  }
  return out;
}

function columnOption(c: CatalogColumn, t: CatalogTable, boost = 0): SqlOption {
  const measure = c.kind === 'measure' || c.kind === 'metric';
  return {
    label: c.name, type: measure ? 'variable' : 'property', boost,
    detail: `${c.kind === 'column' ? c.type : c.kind} · ${t.name}`,
    info: [c.title && c.title !== c.name ? c.title : '', c.description ?? '', measure ? `MEASURE(${c.name})` : ''].filter(Boolean).join(' — ') || undefined,
  };
}

/**
 * What may be typed at `pos` in `text`: after `schema.` its tables, after `table.` (or an alias)
 * its columns, inside `MEASURE(` the measures of the tables the statement reads; elsewhere the
 * columns of those tables (of every semantic table when it reads none yet), the semantic tables,
 * the schemas and the functions. `from` is where the word being completed starts. Null when
 * nothing is being typed and completion was not asked for (Ctrl+Space).
 */
export function completeSql(catalog: CatalogTable[], text: string, pos: number, explicit = false): { from: number; options: SqlOption[] } | null {
  const before = text.slice(0, pos);
  const word = IDENT.exec(before)![0];
  if (!word && !explicit) return null;
  const dot = word.lastIndexOf('.');
  const refs = referencedTables(catalog, text);
  if (dot >= 0) {
    const qualifier = word.slice(0, dot).toLowerCase();
    const from = pos - (word.length - dot - 1);
    const options: SqlOption[] = [];
    const seen = new Set<string>();
    const add = (o: SqlOption) => { if (!seen.has(o.type + o.label)) { seen.add(o.type + o.label); options.push(o); } };
    for (const t of catalog) {
      const schema = t.schema.toLowerCase();
      if (schema === qualifier || `strata.${schema}` === qualifier) add({ label: t.name, type: 'class', detail: `${t.kind} · ${t.schema}` });
      else if (schema.startsWith(qualifier + '.')) add({ label: t.schema.slice(qualifier.length + 1).split('.')[0], type: 'namespace', detail: 'schema' });
    }
    const table = refs.get(qualifier) ?? findTable(catalog, qualifier);
    if (table) table.columns.forEach((c) => add(columnOption(c, table)));
    return { from, options };
  }
  const from = pos - word.length;
  const inMeasure = /\bmeasure\s*\(\s*[A-Za-z0-9_$]*$/i.test(before);
  const tables = refs.size ? [...new Set(refs.values())] : catalog.filter((t) => t.schema === SEMANTIC);
  if (inMeasure) {
    return { from, options: tables.flatMap((t) => t.columns.filter((c) => c.kind === 'measure' || c.kind === 'metric').map((c) => columnOption(c, t, 2))) };
  }
  const options: SqlOption[] = [];
  const seen = new Set<string>();
  const add = (o: SqlOption) => { const k = o.type + o.label.toLowerCase(); if (!seen.has(k)) { seen.add(k); options.push(o); } };
  tables.forEach((t) => t.columns.forEach((c) => add(columnOption(c, t, refs.size ? 1 : 0))));
  catalog.filter((t) => t.schema === SEMANTIC).forEach((t) => add({ label: t.name, type: 'class', detail: `${t.kind} · semantic` }));
  new Set(catalog.map((t) => t.schema.split('.')[0])).forEach((s) => add({ label: s, type: 'namespace', detail: 'schema' }));
  FUNCTIONS.forEach((f) => add({ label: f.name, type: 'function', detail: f.detail, boost: -1 }));
  return { from, options };
}
