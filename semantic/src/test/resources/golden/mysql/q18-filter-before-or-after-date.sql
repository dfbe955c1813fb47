SELECT orders.status AS orders__status, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at < TIMESTAMP '2022-02-01 00:00:00' OR orders.ordered_at >= TIMESTAMP '2024-12-31 00:00:00'
GROUP BY 1
ORDER BY 2 DESC
