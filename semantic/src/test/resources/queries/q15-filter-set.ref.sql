SELECT segment, COUNT(*) FROM retail.customers WHERE segment IS NOT NULL GROUP BY segment
