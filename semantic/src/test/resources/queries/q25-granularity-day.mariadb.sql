SELECT oc.day, oc.cnt, rv.rev
FROM (SELECT CAST(DATE(ordered_at) AS DATETIME) AS day, COUNT(*) AS cnt FROM retail.orders
      WHERE ordered_at >= '2024-03-01' AND ordered_at < '2024-03-15' GROUP BY 1) oc
LEFT JOIN (SELECT CAST(DATE(o.ordered_at) AS DATETIME) AS day, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      WHERE o.ordered_at >= '2024-03-01' AND o.ordered_at < '2024-03-15' GROUP BY 1) rv ON rv.day = oc.day
