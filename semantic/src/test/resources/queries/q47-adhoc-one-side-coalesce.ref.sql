-- many-side measures by a one-side expression: each fact aggregated on its own, then joined
SELECT oc.seg, rv.rev, oc.cnt
FROM (SELECT COALESCE(c.segment, 'unknown') AS seg, COUNT(*) AS cnt
      FROM retail.orders o LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
      GROUP BY 1) oc
LEFT JOIN (SELECT COALESCE(c.segment, 'unknown') AS seg, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
      GROUP BY 1) rv ON rv.seg = oc.seg
