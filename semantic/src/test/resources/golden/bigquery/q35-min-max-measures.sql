SELECT orders.status AS orders__status, MIN(orders.ordered_at) AS orders__first_ordered_at, MAX(orders.ordered_at) AS orders__last_ordered_at
FROM retail.orders AS orders
GROUP BY 1
ORDER BY 2 DESC
