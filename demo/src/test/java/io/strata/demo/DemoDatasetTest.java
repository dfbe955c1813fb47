package io.strata.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.demo.DemoRow.Customer;
import io.strata.demo.DemoRow.Order;
import io.strata.demo.DemoRow.OrderItem;
import io.strata.demo.DemoRow.Product;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoDatasetTest {

    static String checksum(DemoDataset d) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (DemoTable t : DemoTable.values()) {
            d.rows(t).forEach(r -> md.update((r + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void sameSeedAndScaleGiveIdenticalData_otherSeedDiffers() throws Exception {
        String a = checksum(DemoData.generate(0.02, 42));
        String b = checksum(DemoData.generate(0.02, 42));
        String c = checksum(DemoData.generate(0.02, 43));
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(checksum(DemoData.generate(0.02))).isEqualTo(checksum(DemoData.generate(0.02, DemoData.DEFAULT_SEED)));
    }

    @Test
    void streamsAreRepeatableAndIndependent() {
        DemoDataset d = DemoData.generate(0.01);
        List<OrderItem> first = d.orderItems().collect(Collectors.toList());
        d.orders().limit(10).forEach(o -> { });
        assertThat(d.orderItems().collect(Collectors.toList())).isEqualTo(first);
    }

    @Test
    void rowCountsScale() {
        assertCounts(DemoData.generate(1), 10_000, 1_000, 100_000);
        assertCounts(DemoData.generate(0.1), 1_000, 100, 10_000);
        assertCounts(DemoData.generate(0.01), 100, 50, 1_000);
        assertCounts(DemoData.generate(0.001), 50, 50, 100);
        assertCounts(DemoData.generate(40), 400_000, 1_000, 4_000_000);
        DemoDataset d = DemoData.generate(0.1);
        assertThat(d.customers().count()).isEqualTo(1_000);
        assertThat(d.products().count()).isEqualTo(100);
        assertThat(d.orders().count()).isEqualTo(10_000);
        long items = d.orderItems().count();
        assertThat(items).isEqualTo(d.rowCount(DemoTable.ORDER_ITEMS));
        assertThat(items / 10_000.0).isBetween(2.4, 2.6);
        assertThatThrownBy(() -> DemoData.generate(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DemoData.generate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertCounts(DemoDataset d, long customers, long products, long orders) {
        assertThat(d.customerCount()).isEqualTo(customers);
        assertThat(d.productCount()).isEqualTo(products);
        assertThat(d.orderCount()).isEqualTo(orders);
    }

    @Test
    void contentsAreConsistent() {
        DemoDataset d = DemoData.generate(0.1);
        Map<Long, Customer> customers = d.customers().collect(Collectors.toMap(Customer::customerId, c -> c));
        Map<Long, Product> products = d.products().collect(Collectors.toMap(Product::productId, p -> p));
        Map<Long, Order> orders = d.orders().collect(Collectors.toMap(Order::orderId, o -> o));

        // ~3% NULL segments, otherwise the three segments
        long nullSegments = customers.values().stream().filter(c -> c.segment() == null).count();
        assertThat(nullSegments / (double) customers.size()).isBetween(0.015, 0.05);
        assertThat(customers.values().stream().map(Customer::segment).filter(s -> s != null).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("Consumer", "Corporate", "Small Business");
        assertThat(customers.values().stream().map(Customer::region).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("North America", "Europe", "Asia Pacific", "Latin America");
        assertThat(products.values().stream().map(Product::category).collect(Collectors.toSet())).hasSize(8);
        assertThat(products.values()).allSatisfy(p -> {
            assertThat(p.listPrice().scale()).isEqualTo(2);
            assertThat(p.listPrice()).isPositive();
        });

        // orders: FK, fixed time range, second precision, vocabularies, completed most common
        Set<Long> customersWithOrders = new HashSet<>();
        Map<String, Long> statusCounts = new HashMap<>();
        for (Order o : orders.values()) {
            assertThat(customers).containsKey(o.customerId());
            assertThat(o.orderedAt()).isBetween(DemoDataset.FIRST_ORDER_TIME, DemoDataset.LAST_ORDER_TIME);
            assertThat(o.orderedAt().getNano()).isZero();
            assertThat(o.channel()).isIn("web", "store", "mobile");
            assertThat(o.status()).isIn("completed", "shipped", "processing", "cancelled", "returned");
            customersWithOrders.add(o.customerId());
            statusCounts.merge(o.status(), 1L, Long::sum);
        }
        assertThat(statusCounts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey())
                .isEqualTo("completed");
        assertThat(customersWithOrders.size()).isLessThan(customers.size()); // some customers never order

        // items: FK, 1-5 consecutive lines per order, prices near list, allowed discounts
        Set<BigDecimal> discounts = Set.of(new BigDecimal("0.00"), new BigDecimal("0.05"), new BigDecimal("0.10"),
                new BigDecimal("0.15"), new BigDecimal("0.20"));
        Map<Long, Integer> lines = new HashMap<>();
        Set<Long> sold = new HashSet<>();
        long zeroDiscount = 0;
        long itemCount = 0;
        for (OrderItem i : (Iterable<OrderItem>) d.orderItems()::iterator) {
            itemCount++;
            assertThat(orders).containsKey(i.orderId());
            Product p = products.get(i.productId());
            assertThat(p).isNotNull();
            int previous = lines.getOrDefault(i.orderId(), 0);
            assertThat(i.lineNo()).isEqualTo(previous + 1);
            lines.put(i.orderId(), i.lineNo());
            assertThat(i.quantity()).isBetween(1, 5);
            assertThat(i.unitPrice().scale()).isEqualTo(2);
            assertThat(i.unitPrice().doubleValue()).isBetween(p.listPrice().doubleValue() * 0.94,
                    p.listPrice().doubleValue() * 1.06);
            assertThat(i.discount()).isIn(discounts);
            if (i.discount().signum() == 0) {
                zeroDiscount++;
            }
            sold.add(i.productId());
        }
        assertThat(lines.keySet()).isEqualTo(orders.keySet()); // every order has at least one line
        assertThat(lines.values()).allSatisfy(n -> assertThat(n).isBetween(1, 5));
        assertThat(zeroDiscount / (double) itemCount).isGreaterThan(0.5);
        assertThat(sold.size()).isLessThan(products.size()); // some products never sold
    }

    @Test
    void ordersHaveSeasonality() {
        DemoDataset d = DemoData.generate(0.1);
        Map<Integer, Long> byMonth = d.orders().collect(Collectors.groupingBy(o -> o.orderedAt().getMonthValue(),
                Collectors.counting()));
        assertThat(byMonth.get(12)).isGreaterThan(byMonth.get(2) * 3 / 2);
        Map<Integer, Long> byYear = d.orders().collect(Collectors.groupingBy(o -> o.orderedAt().getYear(),
                Collectors.counting()));
        assertThat(byYear.keySet()).containsExactlyInAnyOrder(2022, 2023, 2024);
        assertThat(byYear.get(2024)).isGreaterThan(byYear.get(2022));
    }
}
