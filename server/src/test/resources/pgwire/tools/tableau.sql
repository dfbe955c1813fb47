-- Tableau Desktop 2023 with its PostgreSQL connector (the bundled pgjdbc driver since 2020.4;
-- the connector's dialect is its postgres TDD): the session setup it sends, its catalog
-- probing (the table list and a table's columns, a LIMIT 0 read for a custom SQL's schema),
-- its "Connect" temp-table probe (refused here; Tableau then works without temp tables), and
-- the queries a worksheet builds: tables aliased by name ("orders"), labels as
-- "<agg>:<field>:<type>" ("sum:Number of Records:ok", "yr:ordered_at:ok"),
-- CAST(EXTRACT(...) AS INTEGER) and DATE_TRUNC for date parts, TRUNC for numeric truncation,
-- and the nested SELECT ... FROM (SELECT ...) "t0" of top-N filters and LOD expressions.
-- The shapes are those the Cube SQL API keeps from Tableau in its tests
-- (cube-js/cube rust/cubesql: test_tableau*).

-- source: Tableau connect: session settings (one simple query with three statements)
SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation
-- expect:
read committed

-- source: Tableau connect: the server version
select version()
-- expect:
PostgreSQL 14.0 (Strata semantic layer) on x86_64-pc-linux-gnu, 64-bit

-- source: Tableau connect: the large-object type probe (pgjdbc/ODBC drivers ask for "lo")
select oid, typbasetype from pg_type where typname = 'lo'
-- expect:

-- source: Tableau connect: create a temporary table to know whether it may (refused: read only)
CREATE LOCAL TEMPORARY TABLE "#Tableau_37_1_Connect" (
	"COL" INTEGER
	) ON COMMIT PRESERVE ROWS
-- expect error: 25006

-- source: Tableau connect: drops the probe table it could not create (refused as well)
DROP TABLE "#Tableau_37_1_Connect"
-- expect error: 25006

-- source: Tableau data source page: schemas
select nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and nspname not like 'pg_temp_%' and nspname not like 'pg_toast_temp_%' order by nspname
-- expect:
demo.retail
semantic

-- source: Tableau data source page: tables and views of a schema
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace and nspname = 'semantic' order by nspname, relname
-- expect:
customers | semantic | r
order_items | semantic | r
orders | semantic | r
products | semantic | r
sales | semantic | v

-- source: Tableau data source page: a table's columns (the ODBC-style SQLColumns query); an
-- average measure is a float8
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, c.relhassubclass from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname like 'products' and n.nspname like 'semantic') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum > 0 and a.attrelid = c.oid) inner join pg_catalog.pg_type t on t.oid = a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid = a.attrelid and d.adnum = a.attnum order by n.nspname, c.relname, attnum
-- expect:
semantic | products | product_id | 20 | int8 | 1 | 8 | -1 | false | false | r | <oid> | NULL | 0 | -1 | false
semantic | products | name | 1043 | varchar | 2 | -1 | -1 | false | false | r | <oid> | NULL | 0 | -1 | false
semantic | products | category | 1043 | varchar | 3 | -1 | -1 | false | false | r | <oid> | NULL | 0 | -1 | false
semantic | products | brand | 1043 | varchar | 4 | -1 | -1 | false | false | r | <oid> | NULL | 0 | -1 | false
semantic | products | list_price | 1700 | numeric | 5 | -1 | 655366 | false | false | r | <oid> | NULL | 0 | -1 | false
semantic | products | count | 20 | int8 | 6 | 8 | -1 | false | false | r | <oid> | NULL | 0 | -1 | false
semantic | products | avg_list_price | 701 | float8 | 7 | 8 | -1 | false | false | r | <oid> | NULL | 0 | -1 | false

-- source: Tableau reads a table's schema with an empty result (LIMIT 0 over the relation)
SELECT * FROM "semantic"."orders" LIMIT 0
-- expect:

-- source: Tableau worksheet: Number of Records by a dimension (SUM(1))
SELECT "orders"."status" AS "status",
  SUM(1) AS "sum:Number of Records:ok"
FROM "semantic"."orders" "orders"
GROUP BY 1
-- expect postgres (any order):

-- source: Tableau worksheet: YEAR(ordered_at) on columns (CAST(EXTRACT(YEAR ...) AS INTEGER))
SELECT CAST(EXTRACT(YEAR FROM "orders"."ordered_at") AS INTEGER) AS "yr:ordered_at:ok",
  COUNT(1) AS "cnt:order_id:ok"
FROM "semantic"."orders" "orders"
GROUP BY 1
-- expect postgres (any order):

-- source: Tableau worksheet: QUARTER(ordered_at) (TRUNC of the extracted part), by channel
SELECT "orders"."channel" AS "channel",
  CAST(TRUNC(EXTRACT(QUARTER FROM "orders"."ordered_at")) AS INTEGER) AS "qr:ordered_at:ok",
  COUNT(1) AS "cnt:order_id:ok"
FROM "semantic"."orders" "orders"
WHERE (CAST(EXTRACT(YEAR FROM "orders"."ordered_at") AS INTEGER) = 2024)
GROUP BY 1,
  2
-- expect postgres (any order):

-- source: Tableau worksheet: MONTH(ordered_at) continuous (DATE_TRUNC of the date, 'MONTH')
SELECT DATE_TRUNC( 'MONTH', CAST("orders"."ordered_at" AS DATE) ) AS "tmn:ordered_at:ok",
  COUNT(1) AS "cnt:order_id:ok"
FROM "semantic"."orders" "orders"
WHERE (("orders"."ordered_at" >= (TIMESTAMP '2024-01-01 00:00:00.000')) AND ("orders"."ordered_at" <= (TIMESTAMP '2024-06-30 23:59:59.000')))
GROUP BY 1
-- expect postgres (any order):

-- source: Tableau worksheet: a semantic measure through the connector's RAWSQLAGG passthrough
SELECT "orders"."channel" AS "channel",
  MEASURE("orders"."completed_count") AS "usr:Completed:ok"
FROM "semantic"."orders" "orders"
GROUP BY 1
-- expect rest (any order): {"measures":["orders.completed_count"],"dimensions":["orders.channel"]}

-- source: Tableau top-N filter: the outer query joins the inner ranking in a subquery "t0"
SELECT "orders"."channel" AS "channel",
  "orders"."status" AS "status",
  COUNT(1) AS "cnt:order_id:ok"
FROM "semantic"."orders" "orders"
  INNER JOIN (
  SELECT "orders"."status" AS "status",
    COUNT(1) AS "$__alias__0"
  FROM "semantic"."orders" "orders"
  GROUP BY 1
  ORDER BY 2 DESC,
    1 ASC
  LIMIT 2
) "t0" ON ("orders"."status" = "t0"."status")
GROUP BY 1,
  2
-- expect postgres (any order):

-- source: Tableau LOD expression {FIXED [channel] : COUNT([order_id])} (nested SELECT ... "t0")
SELECT "t0"."channel" AS "channel",
  SUM("t0"."__measure__0") AS "sum:Calculation_1:ok"
FROM (
  SELECT "orders"."channel" AS "channel",
    COUNT(1) AS "__measure__0"
  FROM "semantic"."orders" "orders"
  GROUP BY 1
) "t0"
GROUP BY 1
-- expect postgres (any order):

-- source: Tableau filter card: the values of a dimension
SELECT "customers"."region" AS "region"
FROM "semantic"."customers" "customers"
GROUP BY 1
ORDER BY 1 ASC
-- expect postgres:

-- source: Tableau calculated field: a CASE over a dimension (a "group")
SELECT (CASE WHEN ("customers"."region" IN ('Europe', 'North America')) THEN 'West' ELSE 'Rest' END) AS "Calculation_2",
  COUNT(1) AS "cnt:customer_id:ok"
FROM "semantic"."customers" "customers"
GROUP BY 1
-- expect postgres (any order):
