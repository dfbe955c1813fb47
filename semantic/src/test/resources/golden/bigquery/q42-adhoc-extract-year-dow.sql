SELECT EXTRACT(YEAR FROM DATETIME(orders.ordered_at, 'Z')) AS expr, (EXTRACT(DAYOFWEEK FROM DATETIME(orders.ordered_at, 'Z')) - 1) AS expr_2, COUNT(*) AS orders__count
FROM retail.orders AS orders
GROUP BY 1, 2
ORDER BY 1 DESC, 2
