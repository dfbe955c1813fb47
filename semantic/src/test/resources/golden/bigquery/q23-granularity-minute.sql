SELECT DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), MINUTE) AS orders__ordered_at_minute, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2024-03-15 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-03-17 00:00:00'
GROUP BY 1
ORDER BY 1
