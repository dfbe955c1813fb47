SELECT customers__region, MAX(customers__count) AS customers__count, MAX(order_items__revenue) AS order_items__revenue, MAX(orders__count) AS orders__count
FROM (SELECT customers.region AS customers__region, COUNT(*) AS customers__count, NULL AS order_items__revenue, NULL AS orders__count
      FROM retail.customers AS customers
      GROUP BY 1
      UNION ALL
      SELECT customers.region AS customers__region, NULL AS customers__count, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue, NULL AS orders__count
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      GROUP BY 1
      UNION ALL
      SELECT customers.region AS customers__region, NULL AS customers__count, NULL AS order_items__revenue, COUNT(*) AS orders__count
      FROM retail.orders AS orders
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      GROUP BY 1) AS strata_union
GROUP BY 1
ORDER BY 2 DESC
