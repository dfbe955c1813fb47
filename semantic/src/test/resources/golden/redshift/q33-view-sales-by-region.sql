SELECT sales__region, MAX(sales__revenue) AS sales__revenue, MAX(sales__order_count) AS sales__order_count
FROM (SELECT customers.region AS sales__region, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS sales__revenue, NULL AS sales__order_count
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      GROUP BY 1
      UNION ALL
      SELECT customers.region AS sales__region, NULL AS sales__revenue, COUNT(*) AS sales__order_count
      FROM retail.orders AS orders
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      GROUP BY 1) AS strata_union
GROUP BY 1
ORDER BY 2 DESC
