-- Grafana 10 with its PostgreSQL data source (pkg/tsdb/grafana-postgresql-datasource, lib/pq
-- and later pgx): the health check, the query builder's table and column pickers
-- (public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts:
-- information_schema with quote_ident), template-variable queries, and panel queries after
-- macro expansion (macros.go): $__timeGroup(t, '1h') -> floor(extract(epoch from t)/3600)*3600,
-- $__timeGroupAlias(...) adds AS "time", $__timeFilter(t) -> t BETWEEN '<from>' AND '<to>' in
-- RFC 3339, $__time(t) -> t AS "time", $__unixEpochFilter(t) -> t >= <from> AND t <= <to>,
-- $__timeFrom() -> '<from>'. The dashboard's range here is 2024-03-01 to 2024-03-08 UTC.

-- source: Grafana data source health check (datasource.go CheckHealth: SELECT 1)
SELECT 1
-- expect:
1

-- source: Grafana postgresMetaQuery.ts getSchemaQuery / the query builder's schema check
SELECT current_schema()
-- expect:
semantic

-- source: Grafana postgresMetaQuery.ts buildTableQuery (the legacy query editor): tables of the
-- schemas in search_path. Not yet: generate_series(...) and string_to_array(...) as tables in
-- FROM are a syntax error (42601, with its position); Grafana 10's builder sends the next one.
select quote_ident(table_name) as "table" from information_schema.tables where quote_ident(table_schema) not in ('information_schema', 'pg_catalog', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', 'timescaledb_experimental') and table_type = 'BASE TABLE' and quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) as i, string_to_array(current_setting('search_path'),',') s) order by 1
-- expect error: 42601

-- source: Grafana 10 query builder: tables of a schema (getTablesQuery over information_schema)
SELECT table_name FROM information_schema.tables WHERE table_schema = 'semantic' ORDER BY table_name
-- expect:
customers
order_items
orders
products
sales

-- source: Grafana postgresMetaQuery.ts buildColumnQuery('time'): time columns of a table
select quote_ident(column_name) as "column", data_type as "type" from information_schema.columns where quote_ident(table_name) = 'orders' and quote_ident(table_schema) = 'semantic' and data_type IN ('timestamp without time zone','timestamp with time zone','bigint','integer','double precision','real') order by ordinal_position
-- expect:
order_id | bigint
ordered_at | timestamp without time zone
count | bigint
completed_count | bigint
customer_count | bigint
approx_customer_count | bigint
first_ordered_at | timestamp without time zone
last_ordered_at | timestamp without time zone
completion_rate | double precision
avg_order_value | double precision

-- source: Grafana 10 query builder: columns of a table (getColumnsQuery)
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'customers' AND table_schema = 'semantic' ORDER BY column_name
-- expect:
corporate | boolean
count | bigint
country | character varying
customer_id | bigint
name | character varying
region | character varying
segment | character varying
signup_date | timestamp without time zone

-- source: Grafana template variable query (a dashboard's $channel drop-down)
SELECT DISTINCT channel FROM semantic.orders ORDER BY 1
-- expect postgres:

-- source: Grafana time series panel: $__timeGroupAlias(ordered_at, '1d'), count(*), $__timeFilter(ordered_at)
SELECT
  floor(extract(epoch from ordered_at)/86400)*86400 AS "time",
  count(*) AS "orders"
FROM semantic.orders
WHERE
  ordered_at BETWEEN '2024-03-01T00:00:00Z' AND '2024-03-08T00:00:00Z'
GROUP BY 1
ORDER BY 1
-- expect postgres:

-- source: Grafana time series panel, multi-series: $__timeGroupAlias(ordered_at, '6h'), metric column, $channel in a filter
SELECT
  floor(extract(epoch from ordered_at)/21600)*21600 AS "time",
  channel AS metric,
  count(*) AS value
FROM semantic.orders
WHERE
  ordered_at BETWEEN '2024-03-01T00:00:00Z' AND '2024-03-08T00:00:00Z'
  AND channel IN ('web','mobile')
GROUP BY 1, 2
ORDER BY 1, 2
-- expect postgres:

-- source: Grafana bar gauge / table panel: $__timeFilter with a semantic measure
SELECT
  status,
  MEASURE(completed_count) AS completed
FROM semantic.orders
WHERE
  ordered_at BETWEEN '2024-03-01T00:00:00Z' AND '2024-03-08T00:00:00Z'
GROUP BY status
ORDER BY status
-- expect postgres:
SELECT status, count(*) FILTER (WHERE status = 'completed') AS completed FROM retail.orders
WHERE ordered_at BETWEEN '2024-03-01T00:00:00Z' AND '2024-03-08T00:00:00Z' GROUP BY status ORDER BY status

-- source: Grafana table panel: $__time(ordered_at), raw rows, $__timeFilter, LIMIT
SELECT
  ordered_at AS "time",
  order_id,
  status
FROM semantic.orders
WHERE
  ordered_at BETWEEN '2024-03-01T00:00:00Z' AND '2024-03-02T00:00:00Z'
ORDER BY 1, 2
LIMIT 50
-- expect postgres:

-- source: Grafana stat panel: $__timeFrom() / $__timeTo() as literals compared with a column
SELECT count(*) AS "value"
FROM semantic.orders
WHERE ordered_at >= '2024-03-01T00:00:00Z' AND ordered_at < '2024-03-08T00:00:00Z'
-- expect postgres:

-- source: Grafana $__unixEpochGroupAlias / $__unixEpochFilter over an epoch expression
SELECT
  floor(extract(epoch from ordered_at)/3600)*3600 AS "time",
  count(*) AS "orders"
FROM semantic.orders
WHERE
  extract(epoch from ordered_at) >= 1709251200 AND extract(epoch from ordered_at) <= 1709337600
GROUP BY 1
ORDER BY 1
-- expect postgres:
