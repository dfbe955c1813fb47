package io.strata.demo;

/** A generated row: its values in {@link DemoTable#columns()} order. */
public sealed interface DemoRow permits DemoRow.Customer, DemoRow.Product, DemoRow.Order, DemoRow.OrderItem {

    Object[] values();

    /** A row of {@code retail.customers}; {@code segment} may be null. */
    record Customer(long customerId, String name, String region, String country, String segment,
                    java.time.LocalDate signupDate) implements DemoRow {
        @Override
        public Object[] values() {
            return new Object[] {customerId, name, region, country, segment, signupDate};
        }
    }

    /** A row of {@code retail.products}. */
    record Product(long productId, String name, String category, String brand, java.math.BigDecimal listPrice)
            implements DemoRow {
        @Override
        public Object[] values() {
            return new Object[] {productId, name, category, brand, listPrice};
        }
    }

    /** A row of {@code retail.orders}. */
    record Order(long orderId, long customerId, java.time.LocalDateTime orderedAt, String status, String channel)
            implements DemoRow {
        @Override
        public Object[] values() {
            return new Object[] {orderId, customerId, orderedAt, status, channel};
        }
    }

    /** A row of {@code retail.order_items}. */
    record OrderItem(long orderId, int lineNo, long productId, int quantity, java.math.BigDecimal unitPrice,
                     java.math.BigDecimal discount) implements DemoRow {
        @Override
        public Object[] values() {
            return new Object[] {orderId, lineNo, productId, quantity, unitPrice, discount};
        }
    }
}
