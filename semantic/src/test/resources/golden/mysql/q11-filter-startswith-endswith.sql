SELECT products.brand AS products__brand, COUNT(*) AS products__count
FROM retail.products AS products
WHERE (LOWER(products.name) LIKE 'kepler%' OR LOWER(products.name) LIKE 'glow%') AND (LOWER(products.name) LIKE '%1' OR LOWER(products.name) LIKE '%7')
GROUP BY 1
ORDER BY 2 DESC
