SELECT oc.day, oc.cnt, rv.rev
FROM (SELECT DATE_TRUNC('day', ordered_at) AS day, COUNT(*) AS cnt FROM retail.orders
      WHERE ordered_at >= TIMESTAMP '2024-03-01 00:00:00' AND ordered_at < TIMESTAMP '2024-03-15 00:00:00'
      GROUP BY 1) oc
LEFT JOIN (SELECT DATE_TRUNC('day', o.ordered_at) AS day, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      WHERE o.ordered_at >= TIMESTAMP '2024-03-01 00:00:00' AND o.ordered_at < TIMESTAMP '2024-03-15 00:00:00'
      GROUP BY 1) rv ON rv.day = oc.day
