-- psql 15 (Debian's postgresql-client-15) meta-commands, as psql -E prints the statements it
-- sends: \dt semantic.*, \d semantic.orders (the table, its columns, its indexes), \dn.

-- source: \dt semantic.*
SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','t','s','')
  AND n.nspname OPERATOR(pg_catalog.~) '^(semantic)$' COLLATE pg_catalog.default
ORDER BY 1,2;
-- expect:
semantic | customers | table | strata
semantic | order_items | table | strata
semantic | orders | table | strata
semantic | products | table | strata

-- statement: orders_oid
-- \d semantic.orders: which relation
SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default
  AND n.nspname OPERATOR(pg_catalog.~) '^(semantic)$' COLLATE pg_catalog.default
ORDER BY 2, 3;
-- expect:
<oid> | semantic | orders

-- source: \d semantic.orders: the relation's properties
SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname
FROM pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = '${orders_oid}';
-- expect:
0 | r | true | false | false | false | false | false | false |  | 0 |  | p | d | heap

-- source: \d semantic.orders: the columns (no defaults, collations, identities)
SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '${orders_oid}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
-- expect:
order_id | bigint | NULL | false | NULL |  |
status | character varying | NULL | false | NULL |  |
channel | character varying | NULL | false | NULL |  |
ordered_at | timestamp without time zone | NULL | false | NULL |  |
is_closed | boolean | NULL | false | NULL |  |
count | bigint | NULL | false | NULL |  |
completed_count | bigint | NULL | false | NULL |  |
customer_count | bigint | NULL | false | NULL |  |
approx_customer_count | bigint | NULL | false | NULL |  |
first_ordered_at | timestamp without time zone | NULL | false | NULL |  |
last_ordered_at | timestamp without time zone | NULL | false | NULL |  |
completion_rate | double precision | NULL | false | NULL |  |
avg_order_value | double precision | NULL | false | NULL |  |
online | boolean | NULL | false | NULL |  |
completed | boolean | NULL | false | NULL |  |

-- source: \d semantic.orders: the indexes (the model's primary_key)
SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
WHERE c.oid = '${orders_oid}' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname;
-- expect:
orders_pkey | true | true | false | true | CREATE UNIQUE INDEX orders_pkey ON semantic.orders USING btree (order_id) | PRIMARY KEY (order_id) | p | false | false | false | 0

-- source: \dn
SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1;
-- expect:
demo.retail | strata
semantic | strata
