-- WEEK(x, 3) is the ISO week; WEEKDAY 0 = Monday
SELECT QUARTER(ordered_at), MONTH(ordered_at), WEEK(ordered_at, 3), WEEKDAY(ordered_at) + 1,
  DAYOFYEAR(ordered_at), HOUR(ordered_at), COUNT(*)
FROM retail.orders
WHERE YEAR(ordered_at) = 2023
GROUP BY 1, 2, 3, 4, 5, 6
