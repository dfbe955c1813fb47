SELECT order_items.quantity * 2 + 1 AS expr, ROUND(order_items.discount * 100) AS expr_2, MOD(order_items.line_no, 2) AS expr_3, SUM(order_items.quantity) AS order_items__units, COUNT(*) AS order_items__line_count
FROM retail.order_items AS order_items
  LEFT JOIN retail.products AS products ON order_items.product_id = products.product_id
WHERE CHAR_LENGTH(products.category) >= 5 AND order_items.quantity * 2 + 1 < 9
GROUP BY 1, 2, 3
ORDER BY 4 DESC
