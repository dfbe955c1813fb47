SELECT region, COUNT(*) FROM retail.customers WHERE segment IS NULL GROUP BY region
