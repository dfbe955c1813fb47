SELECT products.category AS products__category, AVG(order_items.unit_price) AS order_items__avg_unit_price, COUNT(DISTINCT order_items.product_id) AS order_items__product_count, SUM(CASE WHEN order_items.discount > 0 THEN order_items.quantity * order_items.unit_price * (1 - order_items.discount) ELSE NULL END) AS order_items__discounted_revenue
FROM retail.order_items AS order_items
  LEFT JOIN retail.products AS products ON order_items.product_id = products.product_id
GROUP BY 1
ORDER BY 2 DESC
