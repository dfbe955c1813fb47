SELECT EXTRACT(YEAR FROM orders.ordered_at) AS expr, MOD(DAYOFWEEKISO(orders.ordered_at), 7) AS expr_2, COUNT(*) AS orders__count
FROM retail.orders AS orders
GROUP BY 1, 2
ORDER BY 1 DESC, 2
