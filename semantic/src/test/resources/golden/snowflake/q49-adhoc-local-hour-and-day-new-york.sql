SELECT EXTRACT(HOUR FROM CONVERT_TIMEZONE('UTC', 'America/New_York', orders.ordered_at)) AS expr, CAST(CONVERT_TIMEZONE('UTC', 'America/New_York', orders.ordered_at) AS DATE) AS expr_2, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE CAST(CONVERT_TIMEZONE('UTC', 'America/New_York', orders.ordered_at) AS DATE) >= DATE '2024-03-09' AND CAST(CONVERT_TIMEZONE('UTC', 'America/New_York', orders.ordered_at) AS DATE) < DATE '2024-03-12'
GROUP BY 1, 2
ORDER BY 3 DESC
