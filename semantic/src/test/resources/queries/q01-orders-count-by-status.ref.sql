SELECT status, COUNT(order_id) FROM retail.orders GROUP BY status
