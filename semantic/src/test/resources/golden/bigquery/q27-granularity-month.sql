SELECT orders.channel AS orders__channel, DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), MONTH) AS orders__ordered_at_month, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2023-01-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2023-07-01 00:00:00'
GROUP BY 1, 2
ORDER BY 2
