-- the week and quarter follow from the day: revenue joins on the day
SELECT oc.d, oc.w, oc.q, oc.m, oc.cnt, rv.rev
FROM (SELECT DATE(ordered_at) AS d, DATE_SUB(DATE(ordered_at), INTERVAL WEEKDAY(ordered_at) DAY) AS w,
        MAKEDATE(YEAR(ordered_at), 1) + INTERVAL (QUARTER(ordered_at) - 1) QUARTER AS q,
        TIMESTAMP(DATE_FORMAT(ordered_at, '%Y-%m-01')) AS m, COUNT(*) AS cnt
      FROM retail.orders
      WHERE ordered_at >= '2024-03-25 00:00:00' AND ordered_at < '2024-04-08 00:00:00'
      GROUP BY 1, 2, 3, 4) oc
LEFT JOIN (SELECT DATE(o.ordered_at) AS d, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      WHERE o.ordered_at >= '2024-03-25 00:00:00' AND o.ordered_at < '2024-04-08 00:00:00'
      GROUP BY 1) rv ON rv.d = oc.d
