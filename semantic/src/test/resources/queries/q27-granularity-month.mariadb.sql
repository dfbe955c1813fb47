SELECT channel, CAST(DATE_FORMAT(ordered_at, '%Y-%m-01') AS DATETIME), COUNT(*) FROM retail.orders
WHERE ordered_at >= '2023-01-01' AND ordered_at < '2023-07-01' GROUP BY 1, 2
