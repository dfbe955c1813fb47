// Shapes of the REST API (see server/src/main/java/io/strata/server/api).

export type Granularity = 'day' | 'week' | 'month' | 'quarter' | 'year';
export const GRANULARITIES: Granularity[] = ['day', 'week', 'month', 'quarter', 'year'];

export interface TimeDimension {
  dimension: string;
  granularity?: string;
  dateRange?: [string, string] | string;
}

export interface Filter {
  member: string;
  operator: string;
  values?: string[];
}

export type Order = [string, 'asc' | 'desc'][];

export interface SemanticQuery {
  measures?: string[];
  dimensions?: string[];
  timeDimensions?: TimeDimension[];
  filters?: Filter[];
  segments?: string[];
  order?: Order | Record<string, 'asc' | 'desc'>;
  limit?: number;
  offset?: number;
}

export type VizType = 'number' | 'line' | 'bar' | 'area' | 'pie' | 'table' | 'pivot' | 'scatter' | 'heatmap' | 'combo' | 'funnel' | 'markdown';

export interface Viz {
  type: VizType;
  compare?: 'previous_period';
  stacked?: boolean;
  /** lines and areas drawn as curves (straight segments by default) */
  smooth?: boolean;
  /** pie: labels with each slice's share (on by default) */
  percentLabels?: boolean;
  /** axis titles; absent: the members' titles, '' : none */
  xTitle?: string;
  yTitle?: string;
  rows?: string[];
  columns?: string[];
  /** a markdown tile's text (it has no query) */
  text?: string;
}

export interface Layout { x: number; y: number; w: number; h: number }

export interface Chart {
  id?: number;
  dashboardId?: number;
  title: string;
  query: SemanticQuery;
  viz: Viz;
  layout?: Layout;
  position?: number;
}

export interface DashboardFilters {
  timeDimension?: string;
  dateRange?: [string, string];
  granularity?: string;
  dimensions?: string[];
}

export interface Dashboard {
  id: number;
  name: string;
  description?: string | null;
  filters: DashboardFilters;
  chartCount: number;
  createdAt: string;
  updatedAt: string;
  ownerId?: number;
  /** the owner's user name (in the list) */
  owner?: string | null;
  /** one of the caller's favourites (in the list) */
  favourite?: boolean;
  charts?: Chart[];
}

/** Where an answer came from (the results cache contract); absent when the server has no cache. */
export interface CacheInfo {
  tier: 'l1' | 'l2' | 'miss' | 'bypass';
  stale?: boolean;
  ageMs?: number;
  createdAt?: string;
  expiresAt?: string;
}

export interface MemberAnnotation {
  member?: string;
  title: string;
  shortTitle?: string;
  type: string;
  granularity?: string;
  format?: string | null;
}

export interface QueryAnswer {
  queryId: string;
  data: Record<string, unknown>[];
  rows: number;
  annotation: {
    measures: Record<string, MemberAnnotation>;
    dimensions: Record<string, MemberAnnotation>;
    timeDimensions: Record<string, MemberAnnotation>;
  };
  dataSource: string;
  dialect: string;
  sql: string;
  timings?: { totalMs: number };
  cache?: CacheInfo;
  /** The rollup that answered (`model.rollup@version`), null when the source did. */
  rollup?: string | null;
}

export interface MemberMeta {
  name: string;
  shortName: string;
  kind: 'dimension' | 'measure' | 'metric' | 'segment';
  type: string;
  title: string;
  description?: string | null;
  format?: string | null;
  aggregation?: string | null;
  primaryKey?: boolean;
}

export interface ModelMeta {
  name: string;
  title: string;
  description?: string | null;
  dataSource: string;
  dimensions: MemberMeta[];
  measures: MemberMeta[];
  metrics: MemberMeta[];
  segments: MemberMeta[];
  joins: { model: string; relationship: string }[];
}

export interface ViewColumn {
  name: string;
  member: string;
  kind: string;
  type: string;
  title: string;
  description?: string | null;
  format?: string | null;
}

export interface ViewMeta { name: string; description?: string | null; columns: ViewColumn[] }

export interface Meta { models: ModelMeta[]; views: ViewMeta[] }
