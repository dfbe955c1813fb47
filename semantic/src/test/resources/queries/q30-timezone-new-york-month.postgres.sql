-- local New York time; the range is local dates 2024-01-01 .. 2024-03-31 (whole day)
SELECT oc.m, oc.cnt, rv.rev
FROM (SELECT DATE_TRUNC('month', (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York') AS m, COUNT(*) AS cnt
      FROM retail.orders
      WHERE (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' >= TIMESTAMP '2024-01-01 00:00:00'
        AND (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' < TIMESTAMP '2024-04-01 00:00:00'
      GROUP BY 1) oc
LEFT JOIN (SELECT DATE_TRUNC('month', (o.ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York') AS m, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      WHERE (o.ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' >= TIMESTAMP '2024-01-01 00:00:00'
        AND (o.ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' < TIMESTAMP '2024-04-01 00:00:00'
      GROUP BY 1) rv ON rv.m = oc.m
