-- DBeaver 23 (Community) with its PostgreSQL driver (pgjdbc underneath; DBeaver's own
-- catalog reads in plugins/org.jkiss.dbeaver.ext.postgresql: PostgreDataSource,
-- PostgreDatabase, PostgreSchema, PostgreTableBase, PostgreServerExtensionBase): the session
-- setup, the database, schema, table and column reads of its navigator, and the data
-- editor's reads. pgjdbc's own DatabaseMetaData statements (which DBeaver also calls) are in
-- pgcatalog/corpus/pgjdbc.sql.

-- source: DBeaver PostgreDataSource.initializeContextState: the session's schema and user
SELECT current_schema(),session_user
-- expect:
semantic | admin

-- source: DBeaver PostgreServerExtensionBase: the server version string
SELECT version()
-- expect:
PostgreSQL 14.0 (Strata semantic layer) on x86_64-pc-linux-gnu, 64-bit

-- source: DBeaver PostgreDataSource: client settings it sets on connect (SET ... TO ...)
SET application_name = 'DBeaver 23.0.0 - Main <strata>'
-- expect:

-- source: DBeaver pgjdbc setting (the driver's extra_float_digits, sent as a statement by DBeaver's SQL editor)
SET extra_float_digits = 3
-- expect:

-- source: DBeaver PostgreDataSource: the databases (show all databases)
SELECT db.oid,db.datname FROM pg_catalog.pg_database db WHERE NOT datistemplate AND datallowconn ORDER BY db.datname
-- expect:
16384 | strata

-- source: DBeaver PostgreDatabase.loadInfo: one database by name (extended protocol, a parameter)
-- params: strata
SELECT db.oid,db.datname,db.encoding,db.datallowconn FROM pg_catalog.pg_database db WHERE datname=?
-- expect:
16384 | strata | 6 | true

-- source: DBeaver PostgreDatabase.SchemaCache: schemas with their descriptions ('pg_namespace'::regclass)
SELECT n.oid,n.nspname,n.nspowner,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
 ORDER BY nspname
-- expect:
<oid> | demo.retail | 10 | NULL
13183 | information_schema | 10 | NULL
11 | pg_catalog | 10 | system catalog schema
2200 | semantic | 10 | Strata's semantic models and views: dimensions, measures and metrics as columns

-- source: DBeaver PostgreSchema.TableCache: the relations of a schema with their descriptions
SELECT c.oid,c.relname,c.relkind,d.description
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname='semantic') AND c.relkind not in ('i','I','c')
ORDER BY c.relname
-- expect:
<oid> | customers | r | People and companies that have signed up, one row per customer.
<oid> | order_items | r | Order lines, one row per product in an order.
<oid> | orders | r | Orders placed by customers, one row per order.
<oid> | products | r | The product catalogue.
<oid> | sales | v | Order lines with their order, customer and product, for BI tools.

-- source: DBeaver PostgreTableBase attribute cache: a table's columns with defaults and comments
SELECT c.relname,a.attname,a.attnum,a.atttypid,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid='semantic.customers'::regclass
ORDER BY a.attnum
-- expect:
customers | customer_id | 1 | 20 | NULL | NULL
customers | name | 2 | 1043 | NULL | NULL
customers | region | 3 | 1043 | NULL | Sales region of the customer's country
customers | country | 4 | 1043 | NULL | NULL
customers | segment | 5 | 1043 | NULL | Consumer, Corporate or Small Business; null when unknown
customers | signup_date | 6 | 1114 | NULL | NULL
customers | count | 7 | 20 | NULL | Number of customers
customers | corporate | 8 | 16 | NULL | NULL

-- source: DBeaver PostgreTableBase constraint cache: a table's constraints (pg_get_constraintdef)
SELECT c.oid,c.conname,c.contype,t.relname as tabrelname,pg_catalog.pg_get_constraintdef(c.oid, true) as consrc_copy
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
WHERE c.conrelid='semantic.orders'::regclass
ORDER BY c.oid
-- expect:
<oid> | orders_pkey | p | orders | PRIMARY KEY (order_id)

-- source: DBeaver PostgreTableBase index cache: a table's indexes (pg_get_indexdef)
SELECT i.indexrelid,i.indrelid,i.indisprimary,c.relname,pg_catalog.pg_get_indexdef(i.indexrelid) as indexdef
FROM pg_catalog.pg_index i
INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid
WHERE i.indrelid='semantic.orders'::regclass
ORDER BY c.relname
-- expect:
<oid> | <oid> | true | orders_pkey | CREATE UNIQUE INDEX orders_pkey ON semantic.orders USING btree (order_id)

-- source: DBeaver PostgreDataType cache: the types with their base type names (format_type(nullif(...)))
SELECT t.oid,t.typname,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name
FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem
LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid
WHERE t.typname IS NOT NULL AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C') AND t.typname IN ('int8','varchar','timestamp','numeric')
ORDER BY t.oid
-- expect:
20 | int8 | NULL
1043 | varchar | NULL
1114 | timestamp | NULL
1700 | numeric | NULL

-- source: DBeaver data editor: a table's rows (SELECT t.* with the alias it generates; maxRows 200)
SELECT t.* FROM semantic.products t
ORDER BY t.product_id
LIMIT 200
-- expect rest: {"dimensions":["products.product_id","products.name","products.category","products.brand","products.list_price"],"measures":["products.count","products.avg_list_price"],"order":{"products.product_id":"asc"},"limit":200}

-- source: DBeaver "Calculate total row count" of the data editor
SELECT COUNT(*) FROM semantic.orders
-- expect postgres:

-- source: DBeaver SQL editor: a semantic query the user types, with a Postgres cast
SELECT channel, MEASURE(count)::int8 AS orders FROM semantic.orders GROUP BY channel ORDER BY channel
-- expect rest: {"measures":["orders.count"],"dimensions":["orders.channel"],"order":{"orders.channel":"asc"}}

-- source: DBeaver "Generate SQL / DDL": DDL statements are refused on a read-only session
CREATE TABLE semantic.orders_copy AS SELECT * FROM semantic.orders
-- expect error: 25006

-- source: DBeaver data editor "Save" of an edited cell: writes are refused
UPDATE semantic.orders SET status = 'completed' WHERE order_id = 1
-- expect error: 25006
