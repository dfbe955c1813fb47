-- measures of three models by one dimension: each model aggregated on its own, then joined
SELECT c.region, c.cnt, i.rev, o.cnt
FROM (SELECT region, COUNT(*) AS cnt FROM retail.customers GROUP BY region) c
LEFT JOIN (SELECT cu.region, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
           FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
           LEFT JOIN retail.customers cu ON cu.customer_id = o.customer_id
           GROUP BY cu.region) i ON i.region <=> c.region
LEFT JOIN (SELECT cu.region, COUNT(*) AS cnt
           FROM retail.orders o LEFT JOIN retail.customers cu ON cu.customer_id = o.customer_id
           GROUP BY cu.region) o ON o.region <=> c.region
