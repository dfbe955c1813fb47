-- one subquery per fact table, joined on the dimension: no fan-out
SELECT oc.region, oc.cnt, rv.rev
FROM (SELECT c.region, COUNT(*) AS cnt
      FROM retail.orders o LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
      GROUP BY c.region) oc
LEFT JOIN (SELECT c.region, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i
      JOIN retail.orders o ON o.order_id = i.order_id
      LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
      GROUP BY c.region) rv ON rv.region = oc.region
