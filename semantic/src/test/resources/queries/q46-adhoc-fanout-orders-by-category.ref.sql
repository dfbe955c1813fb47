-- as q03: an order counts once per category it has a line in
SELECT UPPER(p.category), COUNT(DISTINCT o.order_id)
FROM retail.orders o
LEFT JOIN retail.order_items i ON i.order_id = o.order_id
LEFT JOIN retail.products p ON p.product_id = i.product_id
GROUP BY UPPER(p.category)
