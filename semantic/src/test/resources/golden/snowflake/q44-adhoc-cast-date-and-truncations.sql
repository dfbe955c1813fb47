SELECT expr, expr_2, expr_3, expr_4, MAX(orders__count) AS orders__count, MAX(order_items__revenue) AS order_items__revenue
FROM (SELECT CAST(orders.ordered_at AS DATE) AS expr, DATE_TRUNC('week', orders.ordered_at) AS expr_2, CAST(DATE_TRUNC('quarter', orders.ordered_at) AS DATE) AS expr_3, DATE_TRUNC('month', orders.ordered_at) AS expr_4, NULL AS orders__count, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
      WHERE CAST(orders.ordered_at AS DATE) >= DATE '2024-03-25' AND CAST(orders.ordered_at AS DATE) < DATE '2024-04-08'
      GROUP BY 1, 2, 3, 4
      UNION ALL
      SELECT CAST(orders.ordered_at AS DATE) AS expr, DATE_TRUNC('week', orders.ordered_at) AS expr_2, CAST(DATE_TRUNC('quarter', orders.ordered_at) AS DATE) AS expr_3, DATE_TRUNC('month', orders.ordered_at) AS expr_4, COUNT(*) AS orders__count, NULL AS order_items__revenue
      FROM retail.orders AS orders
      WHERE CAST(orders.ordered_at AS DATE) >= DATE '2024-03-25' AND CAST(orders.ordered_at AS DATE) < DATE '2024-04-08'
      GROUP BY 1, 2, 3, 4) AS strata_union
GROUP BY 1, 2, 3, 4
ORDER BY 5 DESC
