SELECT orders.status AS orders__status, COUNT(*) AS orders__count
FROM retail.orders AS orders
GROUP BY 1
ORDER BY 2 DESC
