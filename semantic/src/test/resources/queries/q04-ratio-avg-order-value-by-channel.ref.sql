SELECT a.channel, r.rev / a.cnt
FROM (SELECT channel, COUNT(*) AS cnt FROM retail.orders GROUP BY channel) a
LEFT JOIN (SELECT o.channel, SUM(i.quantity * i.unit_price * (1 - i.discount)) AS rev
           FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id
           GROUP BY o.channel) r ON r.channel = a.channel
