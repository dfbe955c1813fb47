SELECT CAST(DATE_FORMAT(ordered_at, '%Y-%m-%d %H:%i:00') AS DATETIME), COUNT(*) FROM retail.orders
WHERE ordered_at >= '2024-03-15' AND ordered_at < '2024-03-17' GROUP BY 1
