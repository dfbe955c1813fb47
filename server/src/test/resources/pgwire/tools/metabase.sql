-- Metabase 0.50 with its PostgreSQL driver (metabase/driver/postgres.clj over pgjdbc): sync
-- (describe-database over pg_class/pg_namespace, describe-fields over information_schema,
-- the select-privilege probe, fingerprint samples) and the SQL that questions compile to
-- (HoneySQL 2: every name quoted and qualified, "public"."t"."col"; date_trunc for units,
-- CAST(... AS date) for the day unit, count(*) AS "count", ORDER BY the breakouts ASC, LIMIT
-- 2000 for unaggregated rows). Metabase's "public" schema is Strata's "semantic".

-- source: Metabase connection check (driver/can-connect?: SELECT 1 over a pooled connection)
SELECT 1
-- expect:
1

-- source: Metabase postgres.clj describe-database: tables and views of the syncable schemas
SELECT "n"."nspname" AS "schema", "c"."relname" AS "name", CASE "c"."relkind" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS "type", "d"."description" AS "description" FROM "pg_catalog"."pg_class" AS "c" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "c"."relnamespace" = "n"."oid" LEFT JOIN "pg_catalog"."pg_description" AS "d" ON ("c"."oid" = "d"."objoid") AND ("d"."objsubid" = 0) AND ("d"."classoid" = 'pg_class'::regclass) WHERE ("c"."relnamespace" = "n"."oid") AND ("n"."nspname" !~ '^pg_') AND ("n"."nspname" <> 'information_schema') AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND ("n"."nspname" NOT IN ('information_schema')) AND ("n"."nspname" IN ('semantic')) ORDER BY "n"."nspname" ASC, "c"."relname" ASC
-- expect:
semantic | customers | TABLE | People and companies that have signed up, one row per customer.
semantic | order_items | TABLE | Order lines, one row per product in an order.
semantic | orders | TABLE | Orders placed by customers, one row per order.
semantic | products | TABLE | The product catalogue.
semantic | sales | VIEW | Order lines with their order, customer and product, for BI tools.

-- source: Metabase sql-jdbc sync have-select-privilege?: the probe it runs per table
SELECT TRUE AS "_" FROM "semantic"."orders" WHERE 1 <> 1 LIMIT 0
-- expect:

-- source: Metabase postgres.clj describe-fields-sql: columns with type, position, pk and comment
SELECT "c"."column_name" AS "name", "c"."udt_name" AS "database-type", "c"."ordinal_position" - 1 AS "database-position", "c"."table_schema" AS "table-schema", "c"."table_name" AS "table-name", "pk"."column_name" IS NOT NULL AS "pk?", col_description(CAST(CAST(FORMAT('%I.%I', CAST("c"."table_schema" AS TEXT), CAST("c"."table_name" AS TEXT)) AS REGCLASS) AS OID), "c"."ordinal_position") AS "field-comment", ("column_default" IS NULL) AND ("is_nullable" = 'NO') AND NOT (("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) AS "database-required", ("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%') AS "database-is-auto-increment" FROM "information_schema"."columns" AS "c" LEFT JOIN (SELECT "tc"."table_schema", "tc"."table_name", "kc"."column_name" FROM "information_schema"."table_constraints" AS "tc" INNER JOIN "information_schema"."key_column_usage" AS "kc" ON ("tc"."constraint_name" = "kc"."constraint_name") AND ("tc"."table_schema" = "kc"."table_schema") AND ("tc"."table_name" = "kc"."table_name") WHERE "tc"."constraint_type" = 'PRIMARY KEY') AS "pk" ON ("c"."table_schema" = "pk"."table_schema") AND ("c"."table_name" = "pk"."table_name") AND ("c"."column_name" = "pk"."column_name") WHERE ("c"."table_schema" IN ('semantic')) AND ("c"."table_name" IN ('customers')) ORDER BY "table-schema" ASC, "table-name" ASC, "database-position" ASC
-- expect:
customer_id | int8 | 0 | semantic | customers | true | NULL | false | false
name | varchar | 1 | semantic | customers | false | NULL | false | false
region | varchar | 2 | semantic | customers | false | Sales region of the customer's country | false | false
country | varchar | 3 | semantic | customers | false | NULL | false | false
segment | varchar | 4 | semantic | customers | false | Consumer, Corporate or Small Business; null when unknown | false | false
signup_date | timestamp | 5 | semantic | customers | false | NULL | false | false
count | int8 | 6 | semantic | customers | false | Number of customers | false | false
corporate | bool | 7 | semantic | customers | false | NULL | false | false

-- source: Metabase sets the report time zone on its connection (postgres.clj set-timezone-sql)
SET SESSION TIMEZONE TO 'UTC'
-- expect:

-- source: Metabase sync: the server's time zone (driver/db-default-timezone: SHOW TIMEZONE)
SHOW TIMEZONE
-- expect:
UTC

-- source: Metabase fingerprinting: a sample of a table's rows (table-rows-sample, LIMIT 10000);
-- on a semantic table a SELECT of dimensions is grouped by them: one row per combination
SELECT "semantic"."orders"."status" AS "status", "semantic"."orders"."channel" AS "channel" FROM "semantic"."orders" LIMIT 10000
-- expect postgres (any order):
SELECT DISTINCT status, channel FROM retail.orders

-- source: Metabase question "Count of orders by status" (MBQL breakout + count aggregation)
SELECT "semantic"."orders"."status" AS "status", COUNT(*) AS "count" FROM "semantic"."orders" GROUP BY "semantic"."orders"."status" ORDER BY "semantic"."orders"."status" ASC
-- expect postgres:

-- source: Metabase question: count by Ordered at: Month (date_trunc, cast back to timestamp)
SELECT CAST(DATE_TRUNC('month', "semantic"."orders"."ordered_at") AS timestamp) AS "ordered_at", COUNT(*) AS "count" FROM "semantic"."orders" GROUP BY CAST(DATE_TRUNC('month', "semantic"."orders"."ordered_at") AS timestamp) ORDER BY CAST(DATE_TRUNC('month', "semantic"."orders"."ordered_at") AS timestamp) ASC
-- expect postgres:

-- source: Metabase question: count by Ordered at: Day (the day unit is CAST(... AS date))
SELECT CAST("semantic"."orders"."ordered_at" AS date) AS "ordered_at", COUNT(*) AS "count" FROM "semantic"."orders" WHERE ("semantic"."orders"."ordered_at" >= timestamp '2024-11-01 00:00:00.000') AND ("semantic"."orders"."ordered_at" < timestamp '2024-12-01 00:00:00.000') GROUP BY CAST("semantic"."orders"."ordered_at" AS date) ORDER BY CAST("semantic"."orders"."ordered_at" AS date) ASC
-- expect postgres:

-- source: Metabase question: count by Ordered at: Week (Sunday weeks: shifted by a day)
SELECT CAST((DATE_TRUNC('week', ("semantic"."orders"."ordered_at" + INTERVAL '1 day')) + INTERVAL '-1 day') AS date) AS "ordered_at", COUNT(*) AS "count" FROM "semantic"."orders" WHERE ("semantic"."orders"."ordered_at" >= timestamp '2024-01-07 00:00:00.000') AND ("semantic"."orders"."ordered_at" < timestamp '2024-03-03 00:00:00.000') GROUP BY CAST((DATE_TRUNC('week', ("semantic"."orders"."ordered_at" + INTERVAL '1 day')) + INTERVAL '-1 day') AS date) ORDER BY CAST((DATE_TRUNC('week', ("semantic"."orders"."ordered_at" + INTERVAL '1 day')) + INTERVAL '-1 day') AS date) ASC
-- expect postgres:

-- source: Metabase question: count by Ordered at: Year, filtered on a category (= 'web')
SELECT CAST(DATE_TRUNC('year', "semantic"."orders"."ordered_at") AS timestamp) AS "ordered_at", COUNT(*) AS "count" FROM "semantic"."orders" WHERE "semantic"."orders"."channel" = 'web' GROUP BY CAST(DATE_TRUNC('year', "semantic"."orders"."ordered_at") AS timestamp) ORDER BY CAST(DATE_TRUNC('year', "semantic"."orders"."ordered_at") AS timestamp) ASC
-- expect postgres:

-- source: Metabase question: Ordered at: Month of year (CAST(extract(month ...) AS integer))
SELECT CAST(extract(month from "semantic"."orders"."ordered_at") AS integer) AS "ordered_at", COUNT(*) AS "count" FROM "semantic"."orders" GROUP BY CAST(extract(month from "semantic"."orders"."ordered_at") AS integer) ORDER BY CAST(extract(month from "semantic"."orders"."ordered_at") AS integer) ASC
-- expect postgres:

-- source: Metabase question with a prepared-statement parameter (pgjdbc binds a native query's {{channel}})
-- params: store
SELECT "semantic"."orders"."status" AS "status", COUNT(*) AS "count" FROM "semantic"."orders" WHERE "semantic"."orders"."channel" = ? GROUP BY "semantic"."orders"."status" ORDER BY "semantic"."orders"."status" ASC
-- expect postgres:

-- source: Metabase question: a semantic measure chosen as a custom expression, by region
SELECT "semantic"."customers"."region" AS "region", MEASURE("semantic"."customers"."count") AS "count" FROM "semantic"."customers" GROUP BY "semantic"."customers"."region" ORDER BY "semantic"."customers"."region" ASC
-- expect rest: {"measures":["customers.count"],"dimensions":["customers.region"],"order":{"customers.region":"asc"}}

-- source: Metabase question over the sales view: revenue by category, "contains" filter (case-insensitive LIKE)
SELECT "semantic"."sales"."category" AS "category", MEASURE("semantic"."sales"."revenue") AS "sum" FROM "semantic"."sales" WHERE "semantic"."sales"."region" ILIKE '%eur%' GROUP BY "semantic"."sales"."category" ORDER BY "semantic"."sales"."category" ASC
-- expect rest: {"measures":["order_items.revenue"],"dimensions":["products.category"],"filters":[{"member":"customers.region","operator":"equals","values":["Europe"]}],"order":{"products.category":"asc"}}

-- source: Metabase unaggregated question (raw rows, LIMIT 2000, filter "is not empty")
SELECT "semantic"."customers"."customer_id" AS "customer_id", "semantic"."customers"."region" AS "region", "semantic"."customers"."segment" AS "segment" FROM "semantic"."customers" WHERE ("semantic"."customers"."segment" IS NOT NULL) AND ("semantic"."customers"."segment" <> '') ORDER BY "semantic"."customers"."customer_id" ASC LIMIT 2000
-- expect postgres:

-- source: Metabase X-ray / "distinct values" of a field (field-values: LIMIT 1000 over the distinct column)
SELECT "semantic"."orders"."channel" AS "channel" FROM "semantic"."orders" GROUP BY "semantic"."orders"."channel" ORDER BY "semantic"."orders"."channel" ASC LIMIT 1000
-- expect postgres:

-- source: a Metabase custom expression shifting a date by a fraction of a day: refused, naming
-- the interval and what is supported (a whole number of one unit)
SELECT CAST(("semantic"."orders"."ordered_at" + INTERVAL '1.5 day') AS date) AS "shifted", COUNT(*) AS "count" FROM "semantic"."orders" GROUP BY 1 ORDER BY 1 ASC
-- expect error: 42000
