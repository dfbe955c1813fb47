SELECT customers.region AS customers__region, customers.segment AS customers__segment
FROM retail.customers AS customers
GROUP BY 1, 2
ORDER BY 1
