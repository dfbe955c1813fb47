SELECT expr, expr_2, expr_3, expr_4, MAX(orders__count) AS orders__count, MAX(order_items__revenue) AS order_items__revenue
FROM (SELECT CAST(DATETIME(orders.ordered_at, 'Z') AS DATE) AS expr, DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), ISOWEEK) AS expr_2, CAST(DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), QUARTER) AS DATE) AS expr_3, DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), MONTH) AS expr_4, NULL AS orders__count, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
      WHERE CAST(DATETIME(orders.ordered_at, 'Z') AS DATE) >= DATE '2024-03-25' AND CAST(DATETIME(orders.ordered_at, 'Z') AS DATE) < DATE '2024-04-08'
      GROUP BY 1, 2, 3, 4
      UNION ALL
      SELECT CAST(DATETIME(orders.ordered_at, 'Z') AS DATE) AS expr, DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), ISOWEEK) AS expr_2, CAST(DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), QUARTER) AS DATE) AS expr_3, DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), MONTH) AS expr_4, COUNT(*) AS orders__count, NULL AS order_items__revenue
      FROM retail.orders AS orders
      WHERE CAST(DATETIME(orders.ordered_at, 'Z') AS DATE) >= DATE '2024-03-25' AND CAST(DATETIME(orders.ordered_at, 'Z') AS DATE) < DATE '2024-04-08'
      GROUP BY 1, 2, 3, 4) AS strata_union
GROUP BY 1, 2, 3, 4
ORDER BY 5 DESC
