SELECT orders__ordered_at_month, order_items__revenue_trailing_3_months
FROM (SELECT orders__ordered_at_month, SUM(order_items__revenue_cumulative) OVER (ORDER BY orders__ordered_at_month ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS order_items__revenue_trailing_3_months
    FROM (SELECT DATE_TRUNC('month', orders.ordered_at) AS orders__ordered_at_month, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue_cumulative
        FROM retail.order_items AS order_items
          LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
        WHERE orders.ordered_at >= TIMESTAMP '2023-07-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-04-01 00:00:00'
        GROUP BY 1) AS strata_agg) AS strata_window
WHERE orders__ordered_at_month >= TIMESTAMP '2023-10-01 00:00:00'
ORDER BY 1
