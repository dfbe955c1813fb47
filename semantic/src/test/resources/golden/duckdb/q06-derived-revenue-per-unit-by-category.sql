SELECT products__category, order_items__revenue / NULLIF(order_items__units, 0) AS order_items__revenue_per_unit
FROM (SELECT products.category AS products__category, SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount)) AS order_items__revenue, SUM(order_items.quantity) AS order_items__units
    FROM retail.order_items AS order_items
      LEFT JOIN retail.products AS products ON order_items.product_id = products.product_id
    GROUP BY 1) AS strata_agg
ORDER BY 2 DESC
