SELECT orders.status AS orders__status, COUNT(*) AS orders__count, COUNT(DISTINCT orders.customer_id) AS orders__customer_count
FROM retail.orders AS orders
  LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
WHERE orders.channel IN ('web', 'mobile') AND customers.segment = 'Corporate'
GROUP BY 1
ORDER BY 2 DESC
