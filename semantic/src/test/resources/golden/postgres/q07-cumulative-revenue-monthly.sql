WITH strata_agg AS (SELECT orders__ordered_at_month, MAX(order_items__revenue) AS order_items__revenue, MAX(order_items__revenue_cumulative) AS order_items__revenue_cumulative
    FROM (SELECT DATE_TRUNC('month', orders.ordered_at) AS orders__ordered_at_month, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue, NULL AS order_items__revenue_cumulative
          FROM retail.order_items AS order_items
            LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
          WHERE orders.ordered_at >= TIMESTAMP '2024-01-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-07-01 00:00:00'
          GROUP BY 1
          UNION ALL
          SELECT DATE_TRUNC('month', orders.ordered_at) AS orders__ordered_at_month, NULL AS order_items__revenue, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue_cumulative
          FROM retail.order_items AS order_items
            LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
          WHERE orders.ordered_at < TIMESTAMP '2024-07-01 00:00:00'
          GROUP BY 1) AS strata_union
    GROUP BY 1) (SELECT orders__ordered_at_month, (SELECT SUM(strata_window.order_items__revenue_cumulative)
        FROM strata_agg AS strata_window
        WHERE strata_window.orders__ordered_at_month <= strata_agg.orders__ordered_at_month) AS order_items__cumulative_revenue, order_items__revenue
    FROM strata_agg
    WHERE strata_agg.orders__ordered_at_month >= TIMESTAMP '2024-01-01 00:00:00'
    ORDER BY 1)
