SELECT CASE WHEN status IS NULL THEN NULL
            WHEN status IN ('completed', 'cancelled', 'returned') THEN TRUE ELSE FALSE END,
       COUNT(*)
FROM retail.orders GROUP BY 1
