-- expressions see local New York time (the range spans the switch to daylight saving time)
SELECT EXTRACT(HOUR FROM (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York'),
  CAST((ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' AS DATE), COUNT(*)
FROM retail.orders
WHERE CAST((ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' AS DATE)
  BETWEEN DATE '2024-03-09' AND DATE '2024-03-11'
GROUP BY 1, 2
