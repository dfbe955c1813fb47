SELECT EXTRACT(HOUR FROM CONVERT_TZ(orders.ordered_at, '+00:00', 'America/New_York')) AS expr, CAST(CONVERT_TZ(orders.ordered_at, '+00:00', 'America/New_York') AS DATE) AS expr_2, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE CAST(CONVERT_TZ(orders.ordered_at, '+00:00', 'America/New_York') AS DATE) >= DATE '2024-03-09' AND CAST(CONVERT_TZ(orders.ordered_at, '+00:00', 'America/New_York') AS DATE) < DATE '2024-03-12'
GROUP BY 1, 2
ORDER BY 3 DESC
