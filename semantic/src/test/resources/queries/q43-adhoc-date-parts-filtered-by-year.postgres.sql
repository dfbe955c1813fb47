-- WEEK is the ISO week; ISODOW 1 = Monday
SELECT EXTRACT(QUARTER FROM ordered_at), EXTRACT(MONTH FROM ordered_at),
  EXTRACT(WEEK FROM ordered_at), EXTRACT(ISODOW FROM ordered_at), EXTRACT(DOY FROM ordered_at),
  EXTRACT(HOUR FROM ordered_at), COUNT(*)
FROM retail.orders
WHERE EXTRACT(YEAR FROM ordered_at) = 2023
GROUP BY 1, 2, 3, 4, 5, 6
