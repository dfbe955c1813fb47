-- Power BI Desktop's PostgreSQL connector (PostgreSQL.Database in Power Query, over the
-- bundled Npgsql 4.0): Npgsql's type loading when a connection opens
-- (src/Npgsql/PostgresDatabaseInfo.cs: the query over pg_type, pg_namespace, pg_proc,
-- pg_class and pg_range, then composite fields and enum labels), the Navigator's
-- information_schema browsing, and the queries Power Query folds: every source step aliased
-- "_", renamed and grouped steps as nested selects ("rows"), limit 1000 for the preview,
-- literals inlined. Strata has no ranges, enums or composite types, so those answers are empty.

-- source: Npgsql 4 PostgresDatabaseInfo: the version (it chooses its type query by it)
SELECT version()
-- expect:
PostgreSQL 14.0 (Strata semantic layer) on x86_64-pc-linux-gnu, 64-bit

-- source: Npgsql 4 PostgresDatabaseInfo.GenerateTypesQuery (PG >= 9.2, ranges, not Redshift)
SELECT ns.nspname, a.typname, a.oid, a.typrelid, a.typbasetype,
CASE WHEN pg_proc.proname='array_recv' THEN 'a' ELSE a.typtype END AS typtype,
CASE
  WHEN pg_proc.proname='array_recv' THEN a.typelem
  WHEN a.typtype='r' THEN rngsubtype
  ELSE 0
END AS elemoid,
CASE
  WHEN pg_proc.proname IN ('array_recv','oidvectorrecv') THEN 3    /* Arrays last */
  WHEN a.typtype='r' THEN 2                                        /* Ranges before */
  WHEN a.typtype='d' THEN 1                                        /* Domains before */
  ELSE 0                                                           /* Base types first */
END AS ord
FROM pg_type AS a
JOIN pg_namespace AS ns ON (ns.oid = a.typnamespace)
JOIN pg_proc ON pg_proc.oid = a.typreceive
LEFT OUTER JOIN pg_class AS cls ON (cls.oid = a.typrelid)
LEFT OUTER JOIN pg_type AS b ON (b.oid = a.typelem)
LEFT OUTER JOIN pg_class AS elemcls ON (elemcls.oid = b.typrelid)
LEFT OUTER JOIN pg_range ON (pg_range.rngtypid = a.oid) 
WHERE
  a.typtype IN ('b', 'r', 'e', 'd') OR         /* Base, range, enum, domain */
  (a.typtype = 'c' AND cls.relkind='c') OR /* User-defined free-standing composites (not table composites) by default */
  (pg_proc.proname='array_recv' AND (
    b.typtype IN ('b', 'r', 'e', 'd') OR       /* Array of base, range, enum, domain */
    (b.typtype = 'p' AND b.typname IN ('record', 'void')) OR /* Arrays of special supported pseudo-types */
    (b.typtype = 'c' AND elemcls.relkind='c')  /* Array of user-defined free-standing composites (not table composites) */
  )) OR
  (a.typtype = 'p' AND a.typname IN ('record', 'void'))  /* Some special supported pseudo-types */
ORDER BY ord
-- expect (any order):
pg_catalog | bool | 16 | 0 | 0 | b | 0 | 0
pg_catalog | bytea | 17 | 0 | 0 | b | 0 | 0
pg_catalog | char | 18 | 0 | 0 | b | 0 | 0
pg_catalog | name | 19 | 0 | 0 | b | 0 | 0
pg_catalog | int8 | 20 | 0 | 0 | b | 0 | 0
pg_catalog | int2 | 21 | 0 | 0 | b | 0 | 0
pg_catalog | int2vector | 22 | 0 | 0 | b | 0 | 0
pg_catalog | int4 | 23 | 0 | 0 | b | 0 | 0
pg_catalog | regproc | 24 | 0 | 0 | b | 0 | 0
pg_catalog | text | 25 | 0 | 0 | b | 0 | 0
pg_catalog | oid | 26 | 0 | 0 | b | 0 | 0
pg_catalog | oidvector | 30 | 0 | 0 | b | 0 | 3
pg_catalog | float4 | 700 | 0 | 0 | b | 0 | 0
pg_catalog | float8 | 701 | 0 | 0 | b | 0 | 0
pg_catalog | bpchar | 1042 | 0 | 0 | b | 0 | 0
pg_catalog | varchar | 1043 | 0 | 0 | b | 0 | 0
pg_catalog | date | 1082 | 0 | 0 | b | 0 | 0
pg_catalog | time | 1083 | 0 | 0 | b | 0 | 0
pg_catalog | timestamp | 1114 | 0 | 0 | b | 0 | 0
pg_catalog | timestamptz | 1184 | 0 | 0 | b | 0 | 0
pg_catalog | interval | 1186 | 0 | 0 | b | 0 | 0
pg_catalog | numeric | 1700 | 0 | 0 | b | 0 | 0
pg_catalog | regclass | 2205 | 0 | 0 | b | 0 | 0
pg_catalog | regtype | 2206 | 0 | 0 | b | 0 | 0
pg_catalog | _bool | 1000 | 0 | 0 | a | 16 | 3
pg_catalog | _bytea | 1001 | 0 | 0 | a | 17 | 3
pg_catalog | _char | 1002 | 0 | 0 | a | 18 | 3
pg_catalog | _name | 1003 | 0 | 0 | a | 19 | 3
pg_catalog | _int8 | 1016 | 0 | 0 | a | 20 | 3
pg_catalog | _int2 | 1005 | 0 | 0 | a | 21 | 3
pg_catalog | _int2vector | 1006 | 0 | 0 | a | 22 | 3
pg_catalog | _int4 | 1007 | 0 | 0 | a | 23 | 3
pg_catalog | _regproc | 1008 | 0 | 0 | a | 24 | 3
pg_catalog | _text | 1009 | 0 | 0 | a | 25 | 3
pg_catalog | _oid | 1028 | 0 | 0 | a | 26 | 3
pg_catalog | _oidvector | 1013 | 0 | 0 | a | 30 | 3
pg_catalog | _float4 | 1021 | 0 | 0 | a | 700 | 3
pg_catalog | _float8 | 1022 | 0 | 0 | a | 701 | 3
pg_catalog | _bpchar | 1014 | 0 | 0 | a | 1042 | 3
pg_catalog | _varchar | 1015 | 0 | 0 | a | 1043 | 3
pg_catalog | _date | 1182 | 0 | 0 | a | 1082 | 3
pg_catalog | _time | 1183 | 0 | 0 | a | 1083 | 3
pg_catalog | _timestamp | 1115 | 0 | 0 | a | 1114 | 3
pg_catalog | _timestamptz | 1185 | 0 | 0 | a | 1184 | 3
pg_catalog | _interval | 1187 | 0 | 0 | a | 1186 | 3
pg_catalog | _numeric | 1231 | 0 | 0 | a | 1700 | 3
pg_catalog | _regclass | 2210 | 0 | 0 | a | 2205 | 3
pg_catalog | _regtype | 2211 | 0 | 0 | a | 2206 | 3

-- source: Npgsql 4 PostgresDatabaseInfo: fields of free-standing composite types
SELECT typ.oid, att.attname, att.atttypid
FROM pg_type AS typ
JOIN pg_namespace AS ns ON (ns.oid = typ.typnamespace)
JOIN pg_class AS cls ON (cls.oid = typ.typrelid)
JOIN pg_attribute AS att ON (att.attrelid = typ.typrelid)
WHERE
  (typ.typtype = 'c' AND cls.relkind='c') AND
  attnum > 0 AND     /* Don't load system attributes */
  NOT attisdropped
ORDER BY typ.oid, att.attnum
-- expect:

-- source: Npgsql 4 PostgresDatabaseInfo: enum labels
SELECT pg_type.oid, enumlabel
FROM pg_enum
JOIN pg_type ON pg_type.oid=enumtypid
ORDER BY oid, enumsortorder
-- expect:

-- source: Power BI Navigator: the database's schemas and tables (information_schema.tables)
select TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE from INFORMATION_SCHEMA.tables where TABLE_SCHEMA not in ('information_schema', 'pg_catalog') order by TABLE_SCHEMA, TABLE_NAME
-- expect:
demo.retail | customers | BASE TABLE
demo.retail | order_items | BASE TABLE
demo.retail | orders | BASE TABLE
demo.retail | products | BASE TABLE
demo.retail | strata_demo_info | BASE TABLE
semantic | customers | BASE TABLE
semantic | order_items | BASE TABLE
semantic | orders | BASE TABLE
semantic | products | BASE TABLE
semantic | sales | VIEW

-- source: Power BI Navigator: a table's columns (information_schema.columns)
select COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, case when (data_type like '%unsigned%') then DATA_TYPE || ' unsigned' else DATA_TYPE end as DATA_TYPE from INFORMATION_SCHEMA.columns where TABLE_SCHEMA = 'semantic' and TABLE_NAME = 'orders' and ORDINAL_POSITION <= 4 order by TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION
-- expect:
order_id | 1 | YES | bigint
status | 2 | YES | character varying
channel | 3 | YES | character varying
ordered_at | 4 | YES | timestamp without time zone

-- source: Power BI Navigator: primary keys (information_schema key columns, for relationships)
select kcu.TABLE_SCHEMA, kcu.TABLE_NAME, kcu.COLUMN_NAME, kcu.ORDINAL_POSITION from INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc join INFORMATION_SCHEMA.KEY_COLUMN_USAGE kcu on tc.CONSTRAINT_NAME = kcu.CONSTRAINT_NAME and tc.TABLE_SCHEMA = kcu.TABLE_SCHEMA and tc.TABLE_NAME = kcu.TABLE_NAME where tc.CONSTRAINT_TYPE = 'PRIMARY KEY' and tc.TABLE_SCHEMA = 'semantic' order by kcu.TABLE_SCHEMA, kcu.TABLE_NAME, kcu.ORDINAL_POSITION
-- expect:
semantic | customers | customer_id | 1
semantic | orders | order_id | 1
semantic | products | product_id | 1

-- source: Power Query preview of a table (the source step "_", limit 1000)
select "_"."order_id",
    "_"."status",
    "_"."channel",
    "_"."ordered_at"
from "semantic"."orders" "_"
order by "_"."order_id"
limit 1000
-- expect postgres:

-- source: Power Query folded filter step (Table.SelectRows): the source step as a subquery "_"
select "_"."order_id",
    "_"."status",
    "_"."channel"
from 
(
    select "_"."order_id",
        "_"."status",
        "_"."channel"
    from "semantic"."orders" "_"
    where "_"."channel" = 'store' and "_"."channel" is not null
) "_"
order by "_"."order_id"
limit 1000
-- expect postgres:

-- source: Power Query folded Group By (Table.Group, Count Rows): nested "rows"
select "rows"."status" as "status",
    count(1) as "Count"
from 
(
    select "_"."status"
    from "semantic"."orders" "_"
) "rows"
group by "status"
-- expect postgres (any order):

-- source: Power Query folded Group By with a filter and two keys
select "rows"."region" as "region",
    "rows"."segment" as "segment",
    count(1) as "Count"
from 
(
    select "_"."region",
        "_"."segment"
    from "semantic"."customers" "_"
    where "_"."region" <> 'Asia Pacific' or "_"."region" is null
) "rows"
group by "region",
    "segment"
-- expect postgres (any order):

-- source: Power BI DirectQuery visual: a semantic measure by a dimension (the "_" source, grouped, top 1000001)
select "_"."channel",
    "_"."a0"
from 
(
    select "rows"."channel" as "channel",
        MEASURE("rows"."customer_count") as "a0"
    from "semantic"."orders" "rows"
    group by "channel"
) "_"
where not "_"."a0" is null
limit 1000001
-- expect rest (any order): {"measures":["orders.customer_count"],"dimensions":["orders.channel"]}

-- source: Power BI DirectQuery visual: count of rows by month of a date column (date_trunc folded)
select "_"."ordered_at_month",
    "_"."a0"
from 
(
    select date_trunc('month', "rows"."ordered_at") as "ordered_at_month",
        count(*) as "a0"
    from "semantic"."orders" "rows"
    where "rows"."ordered_at" >= timestamp '2024-01-01 00:00:00' and "rows"."ordered_at" < timestamp '2024-07-01 00:00:00'
    group by date_trunc('month', "rows"."ordered_at")
) "_"
where not "_"."a0" is null
limit 1000001
-- expect postgres (any order):
