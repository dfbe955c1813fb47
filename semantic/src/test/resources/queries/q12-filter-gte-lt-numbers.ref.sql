SELECT category, COUNT(*), AVG(list_price) FROM retail.products
WHERE list_price BETWEEN 20 AND 199.999 GROUP BY category
