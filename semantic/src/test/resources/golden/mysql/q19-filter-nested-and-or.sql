SELECT orders.channel AS orders__channel, COUNT(*) AS orders__count
FROM retail.orders AS orders
  LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
WHERE orders.status = 'completed' AND customers.region = 'Europe' OR customers.segment = 'Corporate'
GROUP BY 1
ORDER BY 2 DESC
