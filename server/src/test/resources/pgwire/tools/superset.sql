-- Apache Superset 4 on a PostgreSQL database (SQLAlchemy 1.4, psycopg2): what it sends when
-- the database is added and tested, and the SQL its charts generate. Chart SQL is built by
-- superset/models/helpers.py (get_sqla_query) with the time grains of
-- superset/db_engine_specs/postgres.py (PostgresBaseEngineSpec._time_grain_expressions:
-- DATE_TRUNC('<grain>', {col})), time bounds from its convert_dttm (TO_TIMESTAMP('...',
-- 'YYYY-MM-DD HH24:MI:SS.US')), metrics labelled by name, series limits as a joined subquery
-- "series_limit", virtual datasets as a subquery "virtual_table", and literal binds. The
-- dataset import (SQLAlchemy's inspector) is in pgcatalog/corpus/sqlalchemy.sql.

-- source: SQLAlchemy psycopg2 dialect initialize(): _get_server_version_info
select pg_catalog.version()
-- expect:
PostgreSQL 14.0 (Strata semantic layer) on x86_64-pc-linux-gnu, 64-bit

-- source: SQLAlchemy initialize(): _get_default_schema_name
select current_schema()
-- expect:
semantic

-- source: SQLAlchemy initialize(): _check_unicode_returns
SELECT CAST('test plain returns' AS VARCHAR(60)) AS anon_1
-- expect:
test plain returns

-- source: SQLAlchemy initialize(): _check_unicode_description
SELECT CAST('test unicode returns' AS VARCHAR(60)) AS anon_1
-- expect:
test unicode returns

-- source: SQLAlchemy PGDialect.initialize(): standard_conforming_strings
show standard_conforming_strings
-- expect:
on

-- source: SQLAlchemy PGDialect.get_isolation_level (on every pooled connection)
show transaction isolation level
-- expect:
read committed

-- source: Superset "Test connection" (SELECT 1 through the engine)
SELECT 1
-- expect:
1

-- source: Superset Big Number chart, COUNT(*) metric, no time range
SELECT count(*) AS count 
FROM semantic.orders 
 LIMIT 50000
-- expect postgres:

-- source: Superset pie chart: one dimension, metric COUNT(*), ordered by the metric
SELECT status AS status, count(*) AS count 
FROM semantic.orders GROUP BY status ORDER BY count DESC 
 LIMIT 100
-- expect postgres:

-- source: Superset line chart, time grain P1M and a time range (DATE_TRUNC, TO_TIMESTAMP)
SELECT DATE_TRUNC('month', ordered_at) AS ordered_at, count(*) AS count 
FROM semantic.orders 
WHERE ordered_at >= TO_TIMESTAMP('2023-01-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') AND ordered_at < TO_TIMESTAMP('2024-01-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') GROUP BY DATE_TRUNC('month', ordered_at) ORDER BY count DESC 
 LIMIT 10000
-- expect postgres (any order):

-- source: Superset line chart, time grain P1D, one series dimension, a filter (IN)
SELECT DATE_TRUNC('day', ordered_at) AS ordered_at, channel AS channel, count(*) AS count 
FROM semantic.orders 
WHERE ordered_at >= TO_TIMESTAMP('2024-03-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') AND ordered_at < TO_TIMESTAMP('2024-03-15 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') AND status IN ('completed', 'shipped') GROUP BY DATE_TRUNC('day', ordered_at), channel ORDER BY count DESC 
 LIMIT 10000
-- expect postgres (any order):

-- source: Superset time-series bar chart, grain P1W (Postgres weeks start on Monday)
SELECT DATE_TRUNC('week', ordered_at) AS ordered_at, count(*) AS count 
FROM semantic.orders 
WHERE ordered_at >= TO_TIMESTAMP('2024-01-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') AND ordered_at < TO_TIMESTAMP('2024-04-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') GROUP BY DATE_TRUNC('week', ordered_at) 
 LIMIT 10000
-- expect postgres (any order):

-- source: Superset table chart, aggregate mode, two dimensions, a semantic measure as SQL metric
SELECT region AS region, segment AS segment, MEASURE(count) AS customers 
FROM semantic.customers GROUP BY region, segment ORDER BY customers DESC 
 LIMIT 1000
-- expect postgres (any order):
SELECT region AS region, segment AS segment, count(*) AS customers FROM retail.customers GROUP BY region, segment

-- source: Superset table chart, raw records mode (no aggregation), ordered, with a filter
SELECT order_id AS order_id, status AS status, channel AS channel, ordered_at AS ordered_at 
FROM semantic.orders 
WHERE channel = 'mobile' AND ordered_at >= TO_TIMESTAMP('2024-12-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US') ORDER BY order_id ASC 
 LIMIT 1000
-- expect postgres:

-- source: Superset line chart with a series limit (5 series): the series_limit subquery join
SELECT DATE_TRUNC('month', ordered_at) AS ordered_at, status AS status, count(*) AS count 
FROM semantic.orders JOIN (SELECT status AS status__, count(*) AS mme_inner__ 
FROM semantic.orders GROUP BY status ORDER BY mme_inner__ DESC 
 LIMIT 3) AS series_limit ON status = status__ GROUP BY DATE_TRUNC('month', ordered_at), status 
 LIMIT 10000
-- expect postgres (any order):

-- source: Superset chart over a virtual dataset (SQL Lab query saved as dataset)
SELECT channel AS channel, sum(n) AS total 
FROM (SELECT channel, status, count(*) AS n FROM semantic.orders GROUP BY channel, status) AS virtual_table GROUP BY channel ORDER BY total DESC 
 LIMIT 10000
-- expect postgres (any order):

-- source: Superset dataset "samples" (results of the dataset's columns, row limit)
SELECT order_id AS order_id, status AS status, channel AS channel 
FROM semantic.orders ORDER BY order_id 
 LIMIT 10
-- expect postgres:

-- source: Superset filter box / native filter values (distinct values of a column)
SELECT channel AS channel 
FROM semantic.orders GROUP BY channel ORDER BY channel ASC 
 LIMIT 1000
-- expect postgres:

-- source: Superset epoch column (PostgresEngineSpec.epoch_to_dttm: timestamp 'epoch' + n * interval '1 second')
SELECT (timestamp 'epoch' + 1700000000 * interval '1 second') AS t
-- expect postgres:

-- source: a Superset time bound that is no date (a hand-edited chart's form data): the error
-- names the value and the format
SELECT count(*) AS count 
FROM semantic.orders 
WHERE ordered_at >= TO_TIMESTAMP('2024-13-45 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US')
-- expect error: 42000
