-- running total over the full history (correlated subquery), reported for 2024-01..2024-06
SELECT m.month,
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
   WHERE o.ordered_at < m.month + INTERVAL '1 month'),
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
   WHERE o.ordered_at >= m.month AND o.ordered_at < m.month + INTERVAL '1 month')
FROM (SELECT DISTINCT DATE_TRUNC('month', ordered_at) AS month FROM retail.orders
      WHERE ordered_at >= TIMESTAMP '2024-01-01 00:00:00' AND ordered_at < TIMESTAMP '2024-07-01 00:00:00') m
ORDER BY 1
