SELECT c.name, COUNT(*) FROM retail.orders o
LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
GROUP BY c.name ORDER BY 2 DESC, 1 ASC LIMIT 5 OFFSET 3
