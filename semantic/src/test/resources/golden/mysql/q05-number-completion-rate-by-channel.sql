SELECT orders__channel, orders__completed_count * 1.0 / NULLIF(orders__count, 0) AS orders__completion_rate, orders__completed_count
FROM (SELECT orders.channel AS orders__channel, COUNT(CASE WHEN orders.status = 'completed' THEN 1 ELSE NULL END) AS orders__completed_count, COUNT(*) AS orders__count
    FROM retail.orders AS orders
    GROUP BY 1) AS strata_agg
ORDER BY 2 DESC
