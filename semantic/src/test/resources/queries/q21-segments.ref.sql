SELECT status, COUNT(*), COUNT(DISTINCT customer_id) FROM retail.orders
WHERE channel IN ('web', 'mobile')
  AND customer_id IN (SELECT customer_id FROM retail.customers WHERE segment = 'Corporate')
GROUP BY status
