-- local New York time (needs MariaDB's time zone tables); range is local dates 2024-01-01 .. 2024-03-31
SELECT oc.m, oc.cnt, rv.rev
FROM (SELECT TIMESTAMP(DATE_FORMAT(CONVERT_TZ(ordered_at, '+00:00', 'America/New_York'), '%Y-%m-01')) AS m, COUNT(*) AS cnt
      FROM retail.orders
      WHERE CONVERT_TZ(ordered_at, '+00:00', 'America/New_York') >= TIMESTAMP '2024-01-01 00:00:00'
        AND CONVERT_TZ(ordered_at, '+00:00', 'America/New_York') < TIMESTAMP '2024-04-01 00:00:00'
      GROUP BY 1) oc
LEFT JOIN (SELECT TIMESTAMP(DATE_FORMAT(CONVERT_TZ(o.ordered_at, '+00:00', 'America/New_York'), '%Y-%m-01')) AS m,
             SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      WHERE CONVERT_TZ(o.ordered_at, '+00:00', 'America/New_York') >= TIMESTAMP '2024-01-01 00:00:00'
        AND CONVERT_TZ(o.ordered_at, '+00:00', 'America/New_York') < TIMESTAMP '2024-04-01 00:00:00'
      GROUP BY 1) rv ON rv.m = oc.m
