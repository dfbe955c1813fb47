SELECT channel, COUNT(*) FROM retail.orders
WHERE NOT (ordered_at >= TIMESTAMP '2022-01-01 00:00:00' AND ordered_at < TIMESTAMP '2024-12-01 00:00:00')
GROUP BY channel
