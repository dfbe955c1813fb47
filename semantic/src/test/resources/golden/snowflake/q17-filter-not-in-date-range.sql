SELECT orders.channel AS orders__channel, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at < TIMESTAMP '2022-01-01 00:00:00' OR orders.ordered_at >= TIMESTAMP '2024-12-01 00:00:00'
GROUP BY 1
ORDER BY 2 DESC
