SELECT DISTINCT region, segment FROM retail.customers
