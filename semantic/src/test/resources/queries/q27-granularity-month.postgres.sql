SELECT channel, DATE_TRUNC('month', ordered_at), COUNT(*) FROM retail.orders
WHERE ordered_at >= TIMESTAMP '2023-01-01 00:00:00' AND ordered_at < TIMESTAMP '2023-07-01 00:00:00'
GROUP BY 1, 2
