-- local Kolkata time (needs MariaDB's time zone tables)
SELECT DATE(CONVERT_TZ(ordered_at, '+00:00', 'Asia/Kolkata')), COUNT(*)
FROM retail.orders
WHERE CONVERT_TZ(ordered_at, '+00:00', 'Asia/Kolkata') >= TIMESTAMP '2024-02-01 00:00:00'
  AND CONVERT_TZ(ordered_at, '+00:00', 'Asia/Kolkata') < TIMESTAMP '2024-02-11 00:00:00'
GROUP BY 1
