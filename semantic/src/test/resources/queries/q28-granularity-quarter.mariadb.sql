SELECT CAST(CONCAT(YEAR(ordered_at), '-', LPAD(3 * QUARTER(ordered_at) - 2, 2, '0'), '-01') AS DATETIME),
       COUNT(*), COUNT(DISTINCT customer_id) FROM retail.orders
WHERE channel IN ('web', 'mobile') GROUP BY 1
