SELECT p.category, SUM(i.quantity * i.unit_price * (1 - i.discount)) / SUM(i.quantity)
FROM retail.order_items i LEFT JOIN retail.products p ON p.product_id = i.product_id
GROUP BY p.category
