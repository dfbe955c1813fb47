SELECT status, COUNT(*) FROM retail.orders
WHERE ordered_at >= TIMESTAMP '2024-03-01 00:00:00' AND ordered_at < TIMESTAMP '2024-04-01 00:00:00'
GROUP BY status
