-- the week and quarter follow from the day: revenue joins on the day
SELECT oc.d, oc.w, oc.q, oc.m, oc.cnt, rv.rev
FROM (SELECT CAST(ordered_at AS DATE) AS d, DATE_TRUNC('week', ordered_at) AS w,
        CAST(DATE_TRUNC('quarter', ordered_at) AS DATE) AS q, DATE_TRUNC('month', ordered_at) AS m,
        COUNT(*) AS cnt
      FROM retail.orders
      WHERE ordered_at >= TIMESTAMP '2024-03-25 00:00:00' AND ordered_at < TIMESTAMP '2024-04-08 00:00:00'
      GROUP BY 1, 2, 3, 4) oc
LEFT JOIN (SELECT CAST(o.ordered_at AS DATE) AS d, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      WHERE o.ordered_at >= TIMESTAMP '2024-03-25 00:00:00' AND o.ordered_at < TIMESTAMP '2024-04-08 00:00:00'
      GROUP BY 1) rv ON rv.d = oc.d
