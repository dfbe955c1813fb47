SELECT orders.status IN ('completed', 'cancelled', 'returned') AS orders__is_closed, COUNT(*) AS orders__count
FROM retail.orders AS orders
GROUP BY 1
ORDER BY 2 DESC
