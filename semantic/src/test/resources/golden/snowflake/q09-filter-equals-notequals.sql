SELECT customers.region AS customers__region, customers.segment AS customers__segment, COUNT(*) AS customers__count
FROM retail.customers AS customers
WHERE customers.region IN ('Europe', 'Asia Pacific') AND (customers.segment <> 'Consumer' OR customers.segment IS NULL)
GROUP BY 1, 2
ORDER BY 3 DESC
