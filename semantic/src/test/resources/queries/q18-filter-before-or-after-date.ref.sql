-- beforeDate 2022-02-01: strictly before that day; afterDate 2024-12-30: after the end of that day
SELECT status, COUNT(*) FROM retail.orders
WHERE ordered_at < TIMESTAMP '2022-02-01 00:00:00' OR ordered_at >= TIMESTAMP '2024-12-31 00:00:00'
GROUP BY status
