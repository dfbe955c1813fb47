SELECT customers.segment AS customers__segment, COUNT(*) AS customers__count
FROM retail.customers AS customers
WHERE customers.segment IS NOT NULL
GROUP BY 1
ORDER BY 2 DESC
