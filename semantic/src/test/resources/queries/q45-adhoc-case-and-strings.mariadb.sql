SELECT oc.g, oc.k, oc.cnt, rv.rev
FROM (SELECT CASE WHEN c.region = 'Europe' THEN 'EU'
             WHEN c.region IN ('North America', 'Latin America') THEN 'Americas' ELSE 'Other' END AS g,
        CONCAT(UPPER(SUBSTRING(c.country, 1, 3)), '-', LOWER(TRIM(o.channel))) AS k, COUNT(*) AS cnt
      FROM retail.orders o LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
      WHERE LEFT(o.status, 4) <> 'canc'
      GROUP BY 1, 2) oc
LEFT JOIN (SELECT CASE WHEN c.region = 'Europe' THEN 'EU'
             WHEN c.region IN ('North America', 'Latin America') THEN 'Americas' ELSE 'Other' END AS g,
        CONCAT(UPPER(SUBSTRING(c.country, 1, 3)), '-', LOWER(TRIM(o.channel))) AS k,
        SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
      FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
      LEFT JOIN retail.customers c ON c.customer_id = o.customer_id
      WHERE LEFT(o.status, 4) <> 'canc'
      GROUP BY 1, 2) rv ON rv.g = oc.g AND rv.k = oc.k
