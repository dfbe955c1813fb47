SELECT strata_keys.expr AS expr, COUNT(*) AS orders__count
FROM (SELECT DISTINCT UPPER(products.category) AS expr, orders.order_id AS strata_pk
    FROM retail.orders AS orders
      LEFT JOIN retail.order_items AS order_items ON order_items.order_id = orders.order_id
      LEFT JOIN retail.products AS products ON order_items.product_id = products.product_id) AS strata_keys
  INNER JOIN retail.orders AS orders ON strata_keys.strata_pk = orders.order_id
GROUP BY 1
ORDER BY 2 DESC
