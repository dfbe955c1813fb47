SELECT EXTRACT(HOUR FROM DATETIME(orders.ordered_at, 'America/New_York')) AS expr, CAST(DATETIME(orders.ordered_at, 'America/New_York') AS DATE) AS expr_2, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE CAST(DATETIME(orders.ordered_at, 'America/New_York') AS DATE) >= DATE '2024-03-09' AND CAST(DATETIME(orders.ordered_at, 'America/New_York') AS DATE) < DATE '2024-03-12'
GROUP BY 1, 2
ORDER BY 3 DESC
