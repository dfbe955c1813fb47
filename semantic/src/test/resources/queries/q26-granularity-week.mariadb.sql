SELECT CAST(DATE(ordered_at) - INTERVAL WEEKDAY(ordered_at) DAY AS DATETIME), COUNT(*) FROM retail.orders
WHERE ordered_at >= '2024-01-01' AND ordered_at < '2024-03-01' GROUP BY 1
