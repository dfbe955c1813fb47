SELECT DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), ISOWEEK) AS orders__ordered_at_week, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2024-01-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-03-01 00:00:00'
GROUP BY 1
ORDER BY 1
