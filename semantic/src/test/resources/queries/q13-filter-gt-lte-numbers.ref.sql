SELECT discount, COUNT(*), SUM(quantity) FROM retail.order_items
WHERE discount > 0 AND NOT (discount > 0.2) GROUP BY discount
