SELECT TIMESTAMP(DATE_FORMAT(CONVERT_TZ(orders.ordered_at, '+00:00', 'Asia/Kolkata'), '%Y-%m-%d 00:00:00')) AS orders__ordered_at_day, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE orders.ordered_at >= TIMESTAMP '2024-01-31 18:30:00' AND orders.ordered_at < TIMESTAMP '2024-02-10 18:30:00'
GROUP BY 1
ORDER BY 1
