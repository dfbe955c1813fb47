-- ISO weeks start on Monday
SELECT DATE_TRUNC('week', ordered_at), COUNT(*) FROM retail.orders
WHERE ordered_at >= TIMESTAMP '2024-01-01 00:00:00' AND ordered_at < TIMESTAMP '2024-03-01 00:00:00'
GROUP BY 1
