SELECT EXTRACT(YEAR FROM orders.ordered_at) AS expr, EXTRACT(DOW FROM orders.ordered_at) AS expr_2, COUNT(*) AS orders__count
FROM retail.orders AS orders
GROUP BY 1, 2
ORDER BY 1 DESC, 2
