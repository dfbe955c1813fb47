SELECT orders.channel AS orders__channel, COUNT(DISTINCT orders.customer_id) AS orders__customer_count, APPROX_COUNT_DISTINCT(orders.customer_id) AS orders__approx_customer_count
FROM retail.orders AS orders
GROUP BY 1
ORDER BY 2 DESC
