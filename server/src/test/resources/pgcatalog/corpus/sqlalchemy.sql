-- SQLAlchemy 1.4.46 (Debian's python3-sqlalchemy) with psycopg2: what a connection asks first,
-- then sqlalchemy.inspect(engine) on semantic.orders as Superset does when a dataset is added
-- (get_schema_names, get_table_names, get_view_names, get_columns, get_pk_constraint,
-- get_foreign_keys, get_indexes, get_table_comment), then pandas.read_sql's table check.
-- The statements as they reached Postgres 15 (server statement log).

-- source: dialect initialize (hstore lookup)
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';
-- expect:

-- source: dialect initialize: the server version (SQLAlchemy parses "PostgreSQL 14.0")
select pg_catalog.version()
-- expect:
PostgreSQL 14.0 (Strata semantic layer) on x86_64-pc-linux-gnu, 64-bit

-- source: dialect initialize: default schema
select current_schema()
-- expect:
semantic

-- source: get_schema_names()
SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' ORDER BY nspname
-- expect:
demo.retail
information_schema
semantic

-- source: get_table_names(schema="semantic") (no ORDER BY: the catalog's order)
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'semantic' AND c.relkind in ('r', 'p')
-- expect (any order):
customers
order_items
orders
products

-- source: get_view_names(schema="semantic")
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'semantic' AND c.relkind IN ('v', 'm')
-- expect (any order):
sales

-- statement: orders_oid
-- get_table_oid("orders", schema="semantic")
SELECT c.oid
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname = 'semantic')
            AND c.relname = 'orders' AND c.relkind in
            ('r', 'v', 'm', 'f', 'p')
-- expect:
<oid>

-- source: get_columns("orders", schema="semantic")
SELECT a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              (
                SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)
                FROM pg_catalog.pg_attrdef d
                WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                AND a.atthasdef
              ) AS DEFAULT,
              a.attnotnull,
              a.attrelid as table_oid,
              pgd.description as comment,
              a.attgenerated as generated,
                              (SELECT json_build_object(
                    'always', a.attidentity = 'a',
                    'start', s.seqstart,
                    'increment', s.seqincrement,
                    'minvalue', s.seqmin,
                    'maxvalue', s.seqmax,
                    'cache', s.seqcache,
                    'cycle', s.seqcycle)
                FROM pg_catalog.pg_sequence s
                JOIN pg_catalog.pg_class c on s.seqrelid = c."oid"
                WHERE c.relkind = 'S'
                AND a.attidentity != ''
                AND s.seqrelid = pg_catalog.pg_get_serial_sequence(
                    a.attrelid::regclass::text, a.attname
                )::regclass::oid
                ) as identity_options                
            FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_description pgd ON (
                pgd.objoid = a.attrelid AND pgd.objsubid = a.attnum)
            WHERE a.attrelid = ${orders_oid}
            AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
-- expect:
order_id | bigint | NULL | false | <oid> | NULL |  | NULL
status | character varying | NULL | false | <oid> | NULL |  | NULL
channel | character varying | NULL | false | <oid> | web, store or mobile |  | NULL
ordered_at | timestamp without time zone | NULL | false | <oid> | NULL |  | NULL
is_closed | boolean | NULL | false | <oid> | NULL |  | NULL
count | bigint | NULL | false | <oid> | NULL |  | NULL
completed_count | bigint | NULL | false | <oid> | NULL |  | NULL
customer_count | bigint | NULL | false | <oid> | NULL |  | NULL
approx_customer_count | bigint | NULL | false | <oid> | NULL |  | NULL
first_ordered_at | timestamp without time zone | NULL | false | <oid> | NULL |  | NULL
last_ordered_at | timestamp without time zone | NULL | false | <oid> | NULL |  | NULL
completion_rate | double precision | NULL | false | <oid> | NULL |  | NULL
avg_order_value | double precision | NULL | false | <oid> | NULL |  | NULL
online | boolean | NULL | false | <oid> | NULL |  | NULL
completed | boolean | NULL | false | <oid> | NULL |  | NULL

-- source: get_columns: domains (Strata has none)
SELECT t.typname as "name",
               pg_catalog.format_type(t.typbasetype, t.typtypmod) as "attype",
               not t.typnotnull as "nullable",
               t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema"
            FROM pg_catalog.pg_type t
               LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'd'
-- expect:

-- source: get_columns: enums (Strata has none)
SELECT t.typname as "name",
               -- no enum defaults in 8.4 at least
               -- t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema",
               e.enumlabel as "label"
            FROM pg_catalog.pg_type t
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_catalog.pg_enum e ON t.oid = e.enumtypid
            WHERE t.typtype = 'e'
        ORDER BY "schema", "name", e.oid
-- expect:

-- source: get_pk_constraint("orders", schema="semantic"): the key's columns
SELECT a.attname
                FROM pg_attribute a JOIN (
                    SELECT unnest(ix.indkey) attnum,
                           generate_subscripts(ix.indkey, 1) ord
                    FROM pg_index ix
                    WHERE ix.indrelid = ${orders_oid} AND ix.indisprimary
                    ) k ON a.attnum=k.attnum
                WHERE a.attrelid = ${orders_oid}
                ORDER BY k.ord
-- expect:
order_id

-- source: get_pk_constraint: the key's name
SELECT conname
           FROM  pg_catalog.pg_constraint r
           WHERE r.conrelid = ${orders_oid} AND r.contype = 'p'
           ORDER BY 1
-- expect:
orders_pkey

-- source: get_foreign_keys("orders", schema="semantic"): Strata declares none
SELECT r.conname,
                pg_catalog.pg_get_constraintdef(r.oid, true) as condef,
                n.nspname as conschema
          FROM  pg_catalog.pg_constraint r,
                pg_namespace n,
                pg_class c
          WHERE r.conrelid = ${orders_oid} AND
                r.contype = 'f' AND
                c.oid = confrelid AND
                n.oid = c.relnamespace
          ORDER BY 1
-- expect:

-- source: get_indexes("orders", schema="semantic"): only the primary key's, which this skips
SELECT
                  i.relname as relname,
                  ix.indisunique, ix.indexprs,
                  a.attname, a.attnum, c.conrelid, ix.indkey::varchar,
                  ix.indoption::varchar, i.reloptions, am.amname,
                  pg_get_expr(ix.indpred, ix.indrelid),
                  ix.indnkeyatts as indnkeyatts
              FROM
                  pg_class t
                        join pg_index ix on t.oid = ix.indrelid
                        join pg_class i on i.oid = ix.indexrelid
                        left outer join
                            pg_attribute a
                            on t.oid = a.attrelid and a.attnum = ANY(ix.indkey)
                        left outer join
                            pg_constraint c
                            on (ix.indrelid = c.conrelid and
                                ix.indexrelid = c.conindid and
                                c.contype in ('p', 'u', 'x'))
                        left outer join
                            pg_am am
                            on i.relam = am.oid
              WHERE
                  t.relkind IN ('r', 'v', 'f', 'm', 'p')
                  and t.oid = ${orders_oid}
                  and ix.indisprimary = 'f'
              ORDER BY
                  t.relname,
                  i.relname
-- expect:

-- source: get_table_comment("orders", schema="semantic")
SELECT
                pgd.description as table_comment
            FROM
                pg_catalog.pg_description pgd
            WHERE
                pgd.objsubid = 0 AND
                pgd.objoid = ${orders_oid}
-- expect:
Orders placed by customers, one row per order.

-- source: pandas.read_sql("select status, ...", engine) first checks for a table of that name
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='select status, count(*) from semantic.orders group by status'
-- expect:
