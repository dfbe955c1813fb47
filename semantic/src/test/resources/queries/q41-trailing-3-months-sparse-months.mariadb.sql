-- India has orders in only some months of 2023: the window is 3 calendar months, not 3 rows
SELECT m.month,
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
     JOIN retail.customers c ON c.customer_id = o.customer_id
   WHERE c.country = 'India'
     AND o.ordered_at >= m.month - INTERVAL 2 MONTH AND o.ordered_at < m.month + INTERVAL 1 MONTH),
  (SELECT SUM(i.quantity * i.unit_price * (1 - i.discount)) FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
     JOIN retail.customers c ON c.customer_id = o.customer_id
   WHERE c.country = 'India' AND o.ordered_at >= m.month AND o.ordered_at < m.month + INTERVAL 1 MONTH)
FROM (SELECT DISTINCT TIMESTAMP(DATE_FORMAT(o.ordered_at, '%Y-%m-01')) AS month FROM retail.orders o
      JOIN retail.customers c ON c.customer_id = o.customer_id
      WHERE c.country = 'India'
        AND o.ordered_at >= TIMESTAMP '2023-01-01 00:00:00' AND o.ordered_at < TIMESTAMP '2024-01-01 00:00:00') m
ORDER BY 1
