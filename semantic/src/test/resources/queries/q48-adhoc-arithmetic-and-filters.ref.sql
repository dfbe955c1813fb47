SELECT i.quantity * 2 + 1, ROUND(i.discount * 100), MOD(i.line_no, 2), SUM(i.quantity), COUNT(*)
FROM retail.order_items i
LEFT JOIN retail.products p ON p.product_id = i.product_id
WHERE CHAR_LENGTH(p.category) >= 5 AND i.quantity * 2 + 1 < 9
GROUP BY 1, 2, 3
