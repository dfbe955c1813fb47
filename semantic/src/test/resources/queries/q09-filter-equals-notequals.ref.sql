SELECT region, segment, COUNT(*) FROM retail.customers
WHERE region IN ('Europe', 'Asia Pacific') AND (segment IS NULL OR segment <> 'Consumer')
GROUP BY region, segment
