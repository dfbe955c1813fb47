SELECT DATE_TRUNC('day', (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata'), COUNT(*)
FROM retail.orders
WHERE (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata' >= TIMESTAMP '2024-02-01 00:00:00'
  AND (ordered_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata' < TIMESTAMP '2024-02-11 00:00:00'
GROUP BY 1
