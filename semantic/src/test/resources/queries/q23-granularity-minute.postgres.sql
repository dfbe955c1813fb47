SELECT DATE_TRUNC('minute', ordered_at), COUNT(*) FROM retail.orders
WHERE ordered_at >= TIMESTAMP '2024-03-15 00:00:00' AND ordered_at < TIMESTAMP '2024-03-17 00:00:00'
GROUP BY 1
