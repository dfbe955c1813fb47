SELECT orders__ordered_at_day, MAX(orders__count) AS orders__count, MAX(order_items__revenue) AS order_items__revenue
FROM (SELECT DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), DAY) AS orders__ordered_at_day, NULL AS orders__count, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue
      FROM retail.order_items AS order_items
        LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
      WHERE orders.ordered_at >= TIMESTAMP '2024-03-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-03-15 00:00:00'
      GROUP BY 1
      UNION ALL
      SELECT DATETIME_TRUNC(DATETIME(orders.ordered_at, 'Z'), DAY) AS orders__ordered_at_day, COUNT(*) AS orders__count, NULL AS order_items__revenue
      FROM retail.orders AS orders
      WHERE orders.ordered_at >= TIMESTAMP '2024-03-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-03-15 00:00:00'
      GROUP BY 1) AS strata_union
GROUP BY 1
ORDER BY 1
