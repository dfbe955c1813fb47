SELECT order_items.discount AS order_items__discount, COUNT(*) AS order_items__line_count, SUM(order_items.quantity) AS order_items__units
FROM retail.order_items AS order_items
WHERE order_items.discount > 0 AND order_items.discount <= 0.2
GROUP BY 1
ORDER BY 2 DESC
