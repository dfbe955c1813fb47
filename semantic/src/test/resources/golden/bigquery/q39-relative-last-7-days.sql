SELECT DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), DAY) AS orders__ordered_at_day, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2024-06-24 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-07-01 00:00:00'
GROUP BY 1
ORDER BY 1
