SELECT brand, COUNT(*) FROM retail.products
WHERE (LOWER(name) LIKE 'kepler%' OR LOWER(name) LIKE 'glow%')
  AND (name LIKE '%1' OR name LIKE '%7')
GROUP BY brand
