WITH strata_agg AS (SELECT TIMESTAMP(DATE_FORMAT(orders.ordered_at, '%Y-%m-01 00:00:00')) AS orders__ordered_at_month, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue_cumulative
    FROM retail.order_items AS order_items
      LEFT JOIN retail.orders AS orders ON order_items.order_id = orders.order_id
    WHERE orders.ordered_at >= TIMESTAMP '2023-07-01 00:00:00' AND orders.ordered_at < TIMESTAMP '2024-04-01 00:00:00'
    GROUP BY 1) (SELECT orders__ordered_at_month, (SELECT SUM(strata_window.order_items__revenue_cumulative)
        FROM strata_agg AS strata_window
        WHERE strata_window.orders__ordered_at_month <= strata_agg.orders__ordered_at_month AND strata_window.orders__ordered_at_month > (strata_agg.orders__ordered_at_month - INTERVAL 3 MONTH)) AS order_items__revenue_trailing_3_months
    FROM strata_agg
    WHERE strata_agg.orders__ordered_at_month >= TIMESTAMP '2023-10-01 00:00:00'
    ORDER BY 1)
