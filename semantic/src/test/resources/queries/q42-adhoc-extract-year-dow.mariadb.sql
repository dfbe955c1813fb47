-- DAYOFWEEK: 1 = Sunday
SELECT YEAR(ordered_at), DAYOFWEEK(ordered_at) - 1, COUNT(*)
FROM retail.orders
GROUP BY 1, 2
ORDER BY 1 DESC, 2
