SELECT EXTRACT(QUARTER FROM DATETIME(orders.ordered_at, 'Z')) AS expr, EXTRACT(MONTH FROM DATETIME(orders.ordered_at, 'Z')) AS expr_2, EXTRACT(ISOWEEK FROM DATETIME(orders.ordered_at, 'Z')) AS expr_3, (MOD(EXTRACT(DAYOFWEEK FROM DATETIME(orders.ordered_at, 'Z')) + 5, 7) + 1) AS expr_4, EXTRACT(DAYOFYEAR FROM DATETIME(orders.ordered_at, 'Z')) AS expr_5, EXTRACT(HOUR FROM DATETIME(orders.ordered_at, 'Z')) AS expr_6, COUNT(*) AS orders__count
FROM retail.orders AS orders
WHERE EXTRACT(YEAR FROM DATETIME(orders.ordered_at, 'Z')) = 2023
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 7 DESC
