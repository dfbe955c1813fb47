SELECT customers.region AS customers__region, COUNT(*) AS customers__count
FROM retail.customers AS customers
WHERE customers.segment IS NULL
GROUP BY 1
ORDER BY 2 DESC
