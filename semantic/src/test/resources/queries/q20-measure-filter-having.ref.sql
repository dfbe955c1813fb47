SELECT c.country, COUNT(*) FROM retail.orders o
LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
GROUP BY c.country HAVING COUNT(*) > 100
