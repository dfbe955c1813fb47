SELECT CAST(CONCAT(oc.y, '-01-01') AS DATETIME), oc.cnt, rv.rev
FROM (SELECT YEAR(ordered_at) AS y, COUNT(*) AS cnt FROM retail.orders GROUP BY 1) oc
LEFT JOIN (SELECT YEAR(o.ordered_at) AS y, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id GROUP BY 1) rv ON rv.y = oc.y
