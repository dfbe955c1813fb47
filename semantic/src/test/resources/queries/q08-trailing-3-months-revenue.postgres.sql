-- revenue of the month and the two calendar months before it
SELECT m.month,
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
   WHERE o.ordered_at >= m.month - INTERVAL '2 months' AND o.ordered_at < m.month + INTERVAL '1 month')
FROM (SELECT DISTINCT DATE_TRUNC('month', ordered_at) AS month FROM retail.orders
      WHERE ordered_at >= TIMESTAMP '2023-10-01 00:00:00' AND ordered_at < TIMESTAMP '2024-04-01 00:00:00') m
ORDER BY 1
