SELECT customers.region AS customers__region, COUNT(*) AS customers__count
FROM retail.customers AS customers
WHERE (LOWER(customers.name) LIKE '%son%' OR LOWER(customers.name) LIKE '%ez%') AND (LOWER(customers.country) NOT LIKE '%united%' OR customers.country IS NULL)
GROUP BY 1
ORDER BY 2 DESC
