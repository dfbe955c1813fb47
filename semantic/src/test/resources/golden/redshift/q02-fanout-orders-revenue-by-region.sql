SELECT customers__region, MAX(orders__count) AS orders__count, MAX(order_items__revenue) AS order_items__revenue
FROM (SELECT customers.region AS customers__region, NULL AS orders__count, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      GROUP BY 1
      UNION ALL
      SELECT customers.region AS customers__region, COUNT(*) AS orders__count, NULL AS order_items__revenue
      FROM retail.orders AS orders
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      GROUP BY 1) AS strata_union
GROUP BY 1
ORDER BY 2 DESC
