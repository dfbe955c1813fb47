SELECT orders.status AS orders__status, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2024-03-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-04-01 00:00:00'
GROUP BY 1
ORDER BY 2 DESC
