-- DOW: 0 = Sunday
SELECT EXTRACT(YEAR FROM ordered_at), EXTRACT(DOW FROM ordered_at), COUNT(*)
FROM retail.orders
GROUP BY 1, 2
ORDER BY 1 DESC, 2
