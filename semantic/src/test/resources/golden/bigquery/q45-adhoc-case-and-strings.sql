SELECT expr, expr_2, MAX(orders__count) AS orders__count, MAX(order_items__revenue) AS order_items__revenue
FROM (SELECT CASE WHEN customers.region = 'Europe' THEN 'EU' WHEN customers.region IN ('North America', 'Latin America') THEN 'Americas' ELSE 'Other' END AS expr, (UPPER(SUBSTR(customers.country, 1, 3)) || '-' || LOWER(TRIM(orders.channel))) AS expr_2, NULL AS orders__count, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      WHERE LEFT(orders.status, 4) <> 'canc' OR LEFT(orders.status, 4) IS NULL
      GROUP BY 1, 2
      UNION ALL
      SELECT CASE WHEN customers.region = 'Europe' THEN 'EU' WHEN customers.region IN ('North America', 'Latin America') THEN 'Americas' ELSE 'Other' END AS expr, (UPPER(SUBSTR(customers.country, 1, 3)) || '-' || LOWER(TRIM(orders.channel))) AS expr_2, COUNT(*) AS orders__count, NULL AS order_items__revenue
      FROM retail.orders AS orders
        LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
      WHERE LEFT(orders.status, 4) <> 'canc' OR LEFT(orders.status, 4) IS NULL
      GROUP BY 1, 2) AS strata_union
GROUP BY 1, 2
ORDER BY 3 DESC
