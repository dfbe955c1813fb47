SELECT DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), QUARTER) AS orders__ordered_at_quarter, COUNT(*) AS orders__count, APPROX_COUNT_DISTINCT(orders.customer_id) AS orders__approx_customer_count
FROM retail.orders AS orders
WHERE orders.channel IN ('web', 'mobile')
GROUP BY 1
ORDER BY 1
