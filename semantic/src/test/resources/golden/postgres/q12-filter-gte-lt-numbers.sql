SELECT products.category AS products__category, COUNT(*) AS products__count, AVG(products.list_price) AS products__avg_list_price
FROM retail.products AS products
WHERE products.list_price >= 20 AND products.list_price < 200
GROUP BY 1
ORDER BY 2 DESC
