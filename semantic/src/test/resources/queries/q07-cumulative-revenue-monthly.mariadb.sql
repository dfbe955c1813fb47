SELECT m.month,
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
   WHERE o.ordered_at < m.month + INTERVAL 1 MONTH),
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
   WHERE o.ordered_at >= m.month AND o.ordered_at < m.month + INTERVAL 1 MONTH)
FROM (SELECT DISTINCT CAST(DATE_FORMAT(ordered_at, '%Y-%m-01') AS DATETIME) AS month FROM retail.orders
      WHERE ordered_at >= '2024-01-01' AND ordered_at < '2024-07-01') m
ORDER BY 1
