SELECT p.category, AVG(i.unit_price), COUNT(DISTINCT i.product_id),
       SUM(CASE WHEN i.discount > 0 THEN i.quantity * i.unit_price * (1 - i.discount) END)
FROM retail.order_items i LEFT JOIN retail.products p ON p.product_id = i.product_id
GROUP BY p.category
