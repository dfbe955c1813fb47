SELECT status, COUNT(*) FROM retail.orders
WHERE status NOT IN ('completed', 'cancelled', 'returned') GROUP BY status
