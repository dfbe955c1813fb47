SELECT o.channel, COUNT(*) FROM retail.orders o
LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
WHERE (o.status = 'completed' AND c.region = 'Europe') OR (c.segment = 'Corporate')
GROUP BY o.channel
