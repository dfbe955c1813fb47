SELECT CAST(DATE_FORMAT(ordered_at, '%Y-%m-%d %H:00:00') AS DATETIME), COUNT(*) FROM retail.orders
WHERE ordered_at >= '2024-03-15' AND ordered_at < '2024-03-18' GROUP BY 1
