-- expressions see local New York time (the range spans the switch to daylight saving time)
SELECT HOUR(CONVERT_TZ(ordered_at, '+00:00', 'America/New_York')),
  DATE(CONVERT_TZ(ordered_at, '+00:00', 'America/New_York')), COUNT(*)
FROM retail.orders
WHERE DATE(CONVERT_TZ(ordered_at, '+00:00', 'America/New_York')) BETWEEN '2024-03-09' AND '2024-03-11'
GROUP BY 1, 2
