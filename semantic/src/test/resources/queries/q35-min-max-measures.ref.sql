SELECT status, MIN(ordered_at), MAX(ordered_at) FROM retail.orders GROUP BY status
