SELECT orders__channel, 1.0 * order_items__revenue / NULLIF(orders__count, 0) AS orders__avg_order_value
FROM (SELECT orders__channel, MAX(order_items__revenue) AS order_items__revenue, MAX(orders__count) AS orders__count
    FROM (SELECT orders.channel AS orders__channel, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue, NULL AS orders__count
          FROM retail.order_items AS order_items
            LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
          GROUP BY 1
          UNION ALL
          SELECT orders.channel AS orders__channel, NULL AS order_items__revenue, COUNT(*) AS orders__count
          FROM retail.orders AS orders
          GROUP BY 1) AS strata_union
    GROUP BY 1) AS strata_agg
ORDER BY 2 DESC
