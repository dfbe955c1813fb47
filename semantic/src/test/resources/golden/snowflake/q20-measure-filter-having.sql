SELECT customers__country, orders__count
FROM (SELECT customers.country AS customers__country, COUNT(*) AS orders__count
    FROM retail.orders AS orders
      LEFT JOIN retail.customers AS customers ON orders.customer_id = customers.customer_id
    GROUP BY 1) AS strata_agg
WHERE orders__count > 100
ORDER BY 2 DESC
