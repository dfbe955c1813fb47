-- rollup events.daily, store: source, schema strata_rollups, on postgres

-- version 1, partition 2024-01: the schema, then the partition's table from its build query
CREATE SCHEMA IF NOT EXISTS strata_rollups;
CREATE TABLE strata_rollups.sr_events_daily_a951ba_v1_2024_01 (events__order, events__group, events__at_day, events__count, events__user, events__avg_user__sum, events__avg_user__count) AS SELECT events."order" AS events__order, events."group" AS events__group, DATE_TRUNC('day', events."at") AS events__at_day, COUNT(*) AS events__count, SUM(events."user") AS events__user, SUM(events."user") AS events__avg_user__sum, COUNT(events."user") AS events__avg_user__count
FROM raw.events AS events
WHERE events."at" >= TIMESTAMP '2024-01-01 00:00:00' AND events."at" < TIMESTAMP '2024-02-01 00:00:00'
GROUP BY 1, 2, 3
ORDER BY 3;
-- its rows and bytes
SELECT COUNT(*) FROM strata_rollups.sr_events_daily_a951ba_v1_2024_01;
SELECT pg_total_relation_size(CAST(? AS regclass));  -- parameters [strata_rollups.sr_events_daily_a951ba_v1_2024_01]

-- version 1, partition 2024-02: the schema, then the partition's table from its build query
CREATE SCHEMA IF NOT EXISTS strata_rollups;
CREATE TABLE strata_rollups.sr_events_daily_a951ba_v1_2024_02 (events__order, events__group, events__at_day, events__count, events__user, events__avg_user__sum, events__avg_user__count) AS SELECT events."order" AS events__order, events."group" AS events__group, DATE_TRUNC('day', events."at") AS events__at_day, COUNT(*) AS events__count, SUM(events."user") AS events__user, SUM(events."user") AS events__avg_user__sum, COUNT(events."user") AS events__avg_user__count
FROM raw.events AS events
WHERE events."at" >= TIMESTAMP '2024-02-01 00:00:00' AND events."at" < TIMESTAMP '2024-03-01 00:00:00'
GROUP BY 1, 2, 3
ORDER BY 3;
-- its rows and bytes
SELECT COUNT(*) FROM strata_rollups.sr_events_daily_a951ba_v1_2024_02;
SELECT pg_total_relation_size(CAST(? AS regclass));  -- parameters [strata_rollups.sr_events_daily_a951ba_v1_2024_02]

-- version 1's view; it is served once the metadata database's row names it
CREATE VIEW strata_rollups.sr_events_daily_a951ba_v1 AS SELECT * FROM strata_rollups.sr_events_daily_a951ba_v1_2024_01 UNION ALL SELECT * FROM strata_rollups.sr_events_daily_a951ba_v1_2024_02;

-- version 2 rebuilds partition 2024-02 (update window) and reuses 2024-01
CREATE SCHEMA IF NOT EXISTS strata_rollups;
CREATE TABLE strata_rollups.sr_events_daily_a951ba_v2_2024_02 (events__order, events__group, events__at_day, events__count, events__user, events__avg_user__sum, events__avg_user__count) AS SELECT events."order" AS events__order, events."group" AS events__group, DATE_TRUNC('day', events."at") AS events__at_day, COUNT(*) AS events__count, SUM(events."user") AS events__user, SUM(events."user") AS events__avg_user__sum, COUNT(events."user") AS events__avg_user__count
FROM raw.events AS events
WHERE events."at" >= TIMESTAMP '2024-02-01 00:00:00' AND events."at" < TIMESTAMP '2024-03-01 00:00:00'
GROUP BY 1, 2, 3
ORDER BY 3;
CREATE VIEW strata_rollups.sr_events_daily_a951ba_v2 AS SELECT * FROM strata_rollups.sr_events_daily_a951ba_v1_2024_01 UNION ALL SELECT * FROM strata_rollups.sr_events_daily_a951ba_v2_2024_02;

-- after the switch and the grace period: version 1's view and the table only it read
DROP VIEW IF EXISTS strata_rollups.sr_events_daily_a951ba_v1;
DROP TABLE IF EXISTS strata_rollups.sr_events_daily_a951ba_v1_2024_02;
