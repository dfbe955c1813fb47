SELECT DATE_TRUNC('quarter', ordered_at), COUNT(*), COUNT(DISTINCT customer_id) FROM retail.orders
WHERE channel IN ('web', 'mobile') GROUP BY 1
