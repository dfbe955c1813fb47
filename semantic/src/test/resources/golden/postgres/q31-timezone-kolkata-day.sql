SELECT DATE_TRUNC('day', ((orders.ordered_at) AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Kolkata')) AS orders__ordered_at_day, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2024-01-31 18:30:00' AND orders.ordered_at < TIMESTAMP '2024-02-10 18:30:00'
GROUP BY 1
ORDER BY 1
