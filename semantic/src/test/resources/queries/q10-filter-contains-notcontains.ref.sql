SELECT region, COUNT(*) FROM retail.customers
WHERE (LOWER(name) LIKE '%son%' OR LOWER(name) LIKE '%ez%')
  AND (country IS NULL OR LOWER(country) NOT LIKE '%united%')
GROUP BY region
