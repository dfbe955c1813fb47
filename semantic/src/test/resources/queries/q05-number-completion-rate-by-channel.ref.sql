SELECT channel,
       SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) * 1.0 / COUNT(*),
       SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END)
FROM retail.orders GROUP BY channel
