-- information_schema listings of tables, schemas, columns, views and primary keys, written for
-- Strata in the plain form table and column pickers use (not captured from a particular tool).

-- source: tables of a schema
SELECT table_name, table_type FROM information_schema.tables
WHERE table_schema = 'semantic' ORDER BY table_name
-- expect:
customers | BASE TABLE
order_items | BASE TABLE
orders | BASE TABLE
products | BASE TABLE
sales | VIEW

-- source: schemas
SELECT schema_name FROM information_schema.schemata ORDER BY schema_name
-- expect:
demo.retail
information_schema
pg_catalog
semantic

-- source: columns of a table with their types
SELECT column_name, data_type, is_nullable, ordinal_position, numeric_precision, numeric_scale
FROM information_schema.columns
WHERE table_schema = 'semantic' AND table_name = 'products' ORDER BY ordinal_position
-- expect:
product_id | bigint | YES | 1 | 64 | 0
name | character varying | YES | 2 | NULL | NULL
category | character varying | YES | 3 | NULL | NULL
brand | character varying | YES | 4 | NULL | NULL
list_price | numeric | YES | 5 | 10 | 2
count | bigint | YES | 6 | 64 | 0
avg_list_price | double precision | YES | 7 | 53 | NULL

-- source: views
SELECT table_schema, table_name FROM information_schema.views ORDER BY 1, 2
-- expect:
semantic | sales

-- source: primary keys (key_column_usage joined to table_constraints)
SELECT tc.table_name, kcu.column_name, kcu.ordinal_position, tc.constraint_name
FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage kcu
  ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'semantic'
ORDER BY 1
-- expect:
customers | customer_id | 1 | customers_pkey
orders | order_id | 1 | orders_pkey
products | product_id | 1 | products_pkey

-- source: a data source's raw table, by its schema as the catalog names it
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = 'demo.retail' AND table_name = 'products' ORDER BY ordinal_position
-- expect:
product_id | bigint
name | character varying
category | character varying
brand | character varying
list_price | numeric
