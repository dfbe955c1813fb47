SELECT channel, COUNT(DISTINCT customer_id), COUNT(DISTINCT customer_id) FROM retail.orders GROUP BY channel
