-- clock 2024-07-01T00:00Z: last 7 days = 2024-06-24 .. 2024-06-30
SELECT DATE(ordered_at), COUNT(*) FROM retail.orders
WHERE ordered_at >= TIMESTAMP '2024-06-24 00:00:00' AND ordered_at < TIMESTAMP '2024-07-01 00:00:00'
GROUP BY 1
