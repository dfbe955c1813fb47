-- Postgres syntax over Strata's SQL (Calcite computes these; no table is read).

-- source: :: casts, E'' strings, string concatenation
SELECT 'x'::text || E'it\'s', '42'::int4 + 1, 2.5::numeric(4,1), '7'::int8::text
-- expect:
xit's | 43 | 2.5 | 7

-- source: ILIKE and regular expressions
SELECT 'Web' ILIKE 'w%', 'Web' NOT ILIKE 'x%', 'abc' ~ '^a', 'abc' !~ 'z', 'ABC' ~* 'b'
-- expect:
true | true | true | true | true

-- source: date_trunc, EXTRACT, CAST(x AS DATE), to_char
SELECT date_trunc('month', TIMESTAMP '2024-03-05 10:11:12')::text,
  EXTRACT(YEAR FROM TIMESTAMP '2024-03-05 10:11:12'),
  CAST(TIMESTAMP '2024-03-05 10:11:12' AS DATE)::text,
  to_char(TIMESTAMP '2024-03-05 10:11:12', 'YYYY-MM')
-- expect:
2024-03-01 00:00:00 | 2024 | 2024-03-05 | 2024-03

-- source: COALESCE, CASE, NULLIF
SELECT COALESCE(NULL, 'a'), CASE WHEN 1 > 0 THEN 'yes' ELSE 'no' END, NULLIF(1, 1)
-- expect:
a | yes | NULL

-- source: interval arithmetic with the unit inside the string
SELECT (TIMESTAMP '2024-01-31 00:00:00' + INTERVAL '1 day')::text,
  (TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '2 weeks')::text,
  (TIMESTAMP '2024-01-01 06:00:00' - interval '3 hours')::text
-- expect:
2024-02-01 00:00:00 | 2024-01-15 00:00:00 | 2024-01-01 03:00:00

-- source: session functions
SELECT now() IS NOT NULL, current_user, current_database(), current_schema(),
  pg_catalog.current_schemas(false)[1], pg_encoding_to_char(6)
-- expect:
true | admin | strata | semantic | semantic | UTF8

-- source: format_type as SQLAlchemy and psql read it
SELECT format_type(1043, 64), format_type(1700, 655366), format_type(20, NULL),
  format_type(1114, -1), format_type(99999, -1)
-- expect:
character varying(60) | numeric(10,2) | bigint | timestamp without time zone | ???
