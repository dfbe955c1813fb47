SELECT customers.name AS customers__name, COUNT(*) AS orders__count
FROM retail.orders AS orders
  LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT 5
OFFSET 3
