SELECT EXTRACT(QUARTER FROM orders.ordered_at) AS expr, EXTRACT(MONTH FROM orders.ordered_at) AS expr_2, EXTRACT(WEEK FROM orders.ordered_at) AS expr_3, (MOD(CAST(EXTRACT(DOW FROM orders.ordered_at) AS INTEGER) + 6, 7) + 1) AS expr_4, EXTRACT(DOY FROM orders.ordered_at) AS expr_5, EXTRACT(HOUR FROM orders.ordered_at) AS expr_6, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE EXTRACT(YEAR FROM orders.ordered_at) = 2023
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 7 DESC
