package io.strata.demo;

import io.strata.demo.DemoRow.Customer;
import io.strata.demo.DemoRow.Order;
import io.strata.demo.DemoRow.OrderItem;
import io.strata.demo.DemoRow.Product;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The retail demo dataset for one (scale, seed): a deterministic, streaming row source per table.
 *
 * <p>Every row is a pure function of (seed, table, row id): each customer, product and order draws from
 * its own {@link SplittableRandom} seeded from those, so tables stream independently, rows are never
 * held in memory (except the ≤1,000 products), and the same (seed, scale) gives identical rows on every
 * run, JVM and database. Floating point is only used in ways Java defines exactly (JDK 17 is strictfp).
 * Bump {@link #GENERATOR_VERSION} whenever the output changes.
 */
public final class DemoDataset {

    /** Default seed used when none is given. */
    public static final long DEFAULT_SEED = 20_240_917L;
    /** Version of the generation rules, recorded in the marker table. */
    public static final int GENERATOR_VERSION = 1;

    /** First and last instant (inclusive) of {@code orders.ordered_at}. */
    public static final LocalDateTime FIRST_ORDER_TIME = LocalDateTime.of(2022, 1, 1, 0, 0, 0);
    public static final LocalDateTime LAST_ORDER_TIME = LocalDateTime.of(2024, 12, 31, 23, 59, 59);
    private static final LocalDate FIRST_ORDER_DAY = FIRST_ORDER_TIME.toLocalDate();
    private static final int ORDER_DAYS = (int) ChronoUnit.DAYS.between(FIRST_ORDER_DAY, LAST_ORDER_TIME.toLocalDate()) + 1;
    /** Customers sign up between these days; one signed up by an order's day may place it. */
    private static final LocalDate FIRST_SIGNUP = LocalDate.of(2020, 1, 1);
    private static final int SIGNUP_DAYS = (int) ChronoUnit.DAYS.between(FIRST_SIGNUP, LocalDate.of(2024, 12, 31)) + 1;

    private static final long SALT_CUSTOMER = 0x436F5374L;
    private static final long SALT_PRODUCT = 0x50724F64L;
    private static final long SALT_ORDER = 0x4F724465L;
    private static final long SALT_ITEMS = 0x4C694E65L;
    private static final long SALT_ACTIVE = 0x41637476L;

    static final String[] REGIONS = {"North America", "Europe", "Asia Pacific", "Latin America"};
    private static final int[] REGION_WEIGHTS = {40, 30, 20, 10};
    static final String[][] COUNTRIES = {
        {"United States", "Canada", "Mexico"},
        {"Germany", "France", "United Kingdom", "Spain", "Italy", "Netherlands"},
        {"Japan", "Australia", "India", "Singapore", "South Korea"},
        {"Brazil", "Argentina", "Chile", "Colombia"},
    };
    static final String[] SEGMENTS = {"Consumer", "Corporate", "Small Business"};
    private static final int[] SEGMENT_WEIGHTS = {60, 25, 15};
    private static final String[] FIRST_NAMES = {
        "Ava", "Liam", "Emma", "Noah", "Olivia", "Mateo", "Sofia", "Lucas", "Mia", "Hiro", "Yuki", "Aarav",
        "Priya", "Chloé", "Léa", "Jonas", "Anna", "Lukas", "Isabella", "Diego", "Camila", "Wei", "Mei",
        "Omar", "Fatima", "Ethan", "Grace", "Seo-yeon", "Min-jun", "Zoë", "James", "Amelia"};
    private static final String[] LAST_NAMES = {
        "Smith", "Johnson", "García", "Martínez", "Müller", "Schmidt", "Dubois", "Rossi", "Tanaka", "Sato",
        "Kim", "Park", "Patel", "Sharma", "Silva", "Santos", "Brown", "Wilson", "O'Brien", "Nguyen", "Chen",
        "Wang", "van Dijk", "Jansen", "López", "Fernández", "Taylor", "Novak", "Cohen", "Ali"};

    static final String[] CATEGORIES = {"Electronics", "Home", "Clothing", "Sports", "Toys", "Books", "Beauty", "Grocery"};
    private static final String[][] BRANDS = {
        {"Voltix", "Nimbus", "Auralis", "Kepler"},
        {"Hearthstone", "Casa Verde", "Nordlys"},
        {"Threadline", "Urban Fox", "Merino & Co"},
        {"Peakform", "Stride", "Tidewater"},
        {"Blockbuddy", "Wonderkin", "Tiny Titan"},
        {"Inkwell Press", "Paperlane", "Folio"},
        {"Lumière", "Glowroot", "Sable"},
        {"Harvest Table", "Sunmill", "Orchard Lane"},
    };
    private static final String[][] NOUNS = {
        {"Headphones", "Smartwatch", "Bluetooth Speaker", "Tablet", "Laptop", "Monitor", "Charger", "Camera"},
        {"Lamp", "Cookware Set", "Throw Blanket", "Coffee Maker", "Vase", "Knife Block", "Bedsheet Set"},
        {"T-Shirt", "Jacket", "Jeans", "Sweater", "Sneakers", "Scarf", "Dress"},
        {"Yoga Mat", "Running Shoes", "Dumbbell Set", "Tennis Racket", "Bike Helmet", "Water Bottle"},
        {"Building Set", "Puzzle", "Plush Bear", "Board Game", "RC Car", "Doll House"},
        {"Novel", "Cookbook", "Travel Guide", "Biography", "Atlas", "Poetry Collection"},
        {"Face Cream", "Shampoo", "Perfume", "Lipstick", "Serum", "Body Lotion"},
        {"Coffee Beans", "Olive Oil", "Dark Chocolate", "Green Tea", "Pasta", "Honey"},
    };
    /** Log-uniform list-price range per category, in whole currency units. */
    private static final double[][] PRICE_RANGES = {
        {20, 1500}, {10, 500}, {8, 200}, {10, 600}, {5, 150}, {5, 60}, {4, 120}, {1, 40}};
    private static final int[] CATEGORY_WEIGHTS = {15, 14, 16, 12, 10, 12, 10, 11};

    static final String[] STATUSES = {"completed", "shipped", "processing", "cancelled", "returned"};
    private static final int[] STATUS_WEIGHTS = {70, 8, 3, 10, 9};
    private static final int[] RECENT_STATUS_WEIGHTS = {22, 45, 25, 8, 0};
    static final String[] CHANNELS = {"web", "store", "mobile"};
    private static final int[] CHANNEL_WEIGHTS = {50, 20, 30};
    private static final int[] LINE_WEIGHTS = {30, 25, 20, 15, 10}; // 1..5 lines, mean 2.5
    private static final int[] QUANTITY_WEIGHTS = {60, 20, 10, 6, 4}; // 1..5
    private static final BigDecimal[] DISCOUNTS = {
        new BigDecimal("0.00"), new BigDecimal("0.05"), new BigDecimal("0.10"), new BigDecimal("0.15"),
        new BigDecimal("0.20")};
    private static final int[] DISCOUNT_WEIGHTS = {70, 10, 10, 5, 5};

    /** Cumulative seasonal weight per order day: index d holds the weight of days [0, d]. */
    private static final double[] DAY_CDF = dayCdf();

    private final double scale;
    private final long seed;
    private final long customerCount;
    private final long productCount;
    private final long orderCount;
    private volatile List<Product> products;
    private volatile double[] productCdf;

    DemoDataset(double scale, long seed) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive number, got " + scale);
        }
        this.scale = scale;
        this.seed = seed;
        this.customerCount = Math.max(50, Math.round(10_000 * scale));
        this.productCount = Math.min(1_000, Math.max(50, Math.round(1_000 * scale)));
        this.orderCount = Math.max(1, Math.round(100_000 * scale));
    }

    public double scale() {
        return scale;
    }

    public long seed() {
        return seed;
    }

    /** max(50, round(10,000 × scale)). */
    public long customerCount() {
        return customerCount;
    }

    /** clamp(round(1,000 × scale), 50, 1,000). */
    public long productCount() {
        return productCount;
    }

    /** max(1, round(100,000 × scale)). */
    public long orderCount() {
        return orderCount;
    }

    /** Exact row count of a table (counts {@code order_items} by streaming line counts only). */
    public long rowCount(DemoTable table) {
        return switch (table) {
            case CUSTOMERS -> customerCount;
            case PRODUCTS -> productCount;
            case ORDERS -> orderCount;
            case ORDER_ITEMS -> LongStream.rangeClosed(1, orderCount).map(this::lineCount).sum();
        };
    }

    /** Rows of {@code table}, lazily generated, in primary-key order. */
    public Stream<? extends DemoRow> rows(DemoTable table) {
        return switch (table) {
            case CUSTOMERS -> customers();
            case PRODUCTS -> products();
            case ORDERS -> orders();
            case ORDER_ITEMS -> orderItems();
        };
    }

    public Stream<Customer> customers() {
        return LongStream.rangeClosed(1, customerCount).mapToObj(this::customer);
    }

    public Stream<Product> products() {
        return productList().stream();
    }

    public Stream<Order> orders() {
        return LongStream.rangeClosed(1, orderCount).mapToObj(this::order);
    }

    public Stream<OrderItem> orderItems() {
        productList();
        return LongStream.rangeClosed(1, orderCount).boxed().flatMap(id -> itemsOf(id).stream());
    }

    // ---------------------------------------------------------------- customers

    Customer customer(long id) {
        SplittableRandom r = rng(SALT_CUSTOMER, id);
        String name = FIRST_NAMES[r.nextInt(FIRST_NAMES.length)] + " " + LAST_NAMES[r.nextInt(LAST_NAMES.length)];
        int region = pick(r, REGION_WEIGHTS);
        String[] countries = COUNTRIES[region];
        // the first country of each region is the most common
        String country = r.nextInt(2) == 0 ? countries[0] : countries[r.nextInt(countries.length)];
        String segment = r.nextInt(100) < 3 ? null : SEGMENTS[pick(r, SEGMENT_WEIGHTS)];
        // signup days increase with id (stratified), so id order is signup order
        int day = (int) (((id - 1) + r.nextDouble()) / customerCount * SIGNUP_DAYS);
        return new Customer(id, name, REGIONS[region], country, segment, FIRST_SIGNUP.plusDays(day));
    }

    /** About 5% of customers never order. */
    boolean customerOrders(long id) {
        return id % 50 != 0 && Math.floorMod(mix(seed ^ mix(SALT_ACTIVE + id)), 100) >= 4;
    }

    // ---------------------------------------------------------------- products

    private List<Product> productList() {
        List<Product> p = products;
        if (p == null) {
            synchronized (this) {
                p = products;
                if (p == null) {
                    List<Product> list = new ArrayList<>((int) productCount);
                    double[] cdf = new double[(int) productCount];
                    double total = 0;
                    for (long id = 1; id <= productCount; id++) {
                        SplittableRandom r = rng(SALT_PRODUCT, id);
                        int cat = pick(r, CATEGORY_WEIGHTS);
                        String brand = BRANDS[cat][r.nextInt(BRANDS[cat].length)];
                        String noun = NOUNS[cat][r.nextInt(NOUNS[cat].length)];
                        String name = brand + " " + noun + " " + (100 + r.nextInt(900));
                        double lo = Math.log(PRICE_RANGES[cat][0]);
                        double hi = Math.log(PRICE_RANGES[cat][1]);
                        long whole = Math.max(1, Math.round(Math.exp(lo + (hi - lo) * r.nextDouble())));
                        BigDecimal price = BigDecimal.valueOf(whole * 100 - 1, 2); // x.99
                        list.add(new Product(id, name, CATEGORIES[cat], brand, price));
                        // popularity: log-normal-ish weight; about 3% of products are never sold
                        double weight = id % 31 == 0 ? 0 : Math.exp(r.nextGaussian());
                        total += weight;
                        cdf[(int) id - 1] = total;
                    }
                    productCdf = cdf;
                    products = p = List.copyOf(list);
                }
            }
        }
        return p;
    }

    /** Products with id divisible by 31 are never ordered. */
    boolean productSells(long id) {
        return id % 31 != 0;
    }

    // ---------------------------------------------------------------- orders

    Order order(long id) {
        SplittableRandom r = rng(SALT_ORDER, id);
        // stratified position in the seasonal distribution: ordered_at never decreases with order_id
        double u = ((id - 1) + r.nextDouble()) / orderCount;
        double target = u * DAY_CDF[ORDER_DAYS - 1];
        int day = Arrays.binarySearch(DAY_CDF, target);
        day = day >= 0 ? day : -day - 1;
        day = Math.min(day, ORDER_DAYS - 1);
        double before = day == 0 ? 0 : DAY_CDF[day - 1];
        double within = (target - before) / (DAY_CDF[day] - before);
        int second = (int) Math.min(86_399, Math.max(0, Math.floor(within * 86_400)));
        LocalDateTime at = FIRST_ORDER_TIME.plusDays(day).plusSeconds(second);

        // only customers signed up by then (customer k signed up by day k/C*SIGNUP_DAYS)
        long daysSinceFirstSignup = ChronoUnit.DAYS.between(FIRST_SIGNUP, FIRST_ORDER_DAY) + day;
        long eligible = Math.max(1, Math.min(customerCount, daysSinceFirstSignup * customerCount / SIGNUP_DAYS));
        long customer;
        int tries = 0;
        do {
            customer = 1 + r.nextLong(eligible);
        } while (!customerOrders(customer) && ++tries < 1000);

        int[] statusWeights = day >= ORDER_DAYS - 14 ? RECENT_STATUS_WEIGHTS : STATUS_WEIGHTS;
        String status = STATUSES[pick(r, statusWeights)];
        String channel = CHANNELS[pick(r, CHANNEL_WEIGHTS)];
        return new Order(id, customer, at, status, channel);
    }

    private int lineCount(long orderId) {
        return 1 + pick(rng(SALT_ITEMS, orderId), LINE_WEIGHTS);
    }

    List<OrderItem> itemsOf(long orderId) {
        List<Product> prods = productList();
        double[] cdf = productCdf;
        SplittableRandom r = rng(SALT_ITEMS, orderId);
        int lines = 1 + pick(r, LINE_WEIGHTS);
        List<OrderItem> items = new ArrayList<>(lines);
        long[] used = new long[lines];
        for (int line = 1; line <= lines; line++) {
            long productId;
            int tries = 0;
            do {
                double t = r.nextDouble() * cdf[cdf.length - 1];
                int i = Arrays.binarySearch(cdf, t);
                i = i >= 0 ? i + 1 : -i - 1; // first index whose cumulative weight exceeds t
                i = Math.min(i, cdf.length - 1);
                while (!productSells(i + 1)) {
                    i = (i + 1) % cdf.length;
                }
                productId = i + 1;
            } while (contains(used, line - 1, productId) && ++tries < 50);
            used[line - 1] = productId;
            int quantity = 1 + pick(r, QUANTITY_WEIGHTS);
            long listCents = prods.get((int) productId - 1).listPrice().unscaledValue().longValueExact();
            long cents = listCents;
            if (r.nextInt(2) == 0) { // half the lines deviate up to ±5% from the list price
                cents = Math.max(1, Math.round(listCents * (0.95 + 0.10 * r.nextDouble())));
            }
            BigDecimal discount = DISCOUNTS[pick(r, DISCOUNT_WEIGHTS)];
            items.add(new OrderItem(orderId, line, productId, quantity, BigDecimal.valueOf(cents, 2), discount));
        }
        return items;
    }

    // ---------------------------------------------------------------- helpers

    private static double[] dayCdf() {
        double[] cdf = new double[ORDER_DAYS];
        double total = 0;
        for (int d = 0; d < ORDER_DAYS; d++) {
            LocalDate date = FIRST_ORDER_DAY.plusDays(d);
            double growth = 1.0 + 0.35 * d / ORDER_DAYS; // the business grows ~35% over three years
            double month = switch (date.getMonthValue()) {
                case 1 -> 0.80;
                case 2 -> 0.85;
                case 6, 7 -> 1.05;
                case 11 -> 1.35;
                case 12 -> 1.60;
                default -> 1.0;
            };
            double weekday = switch (date.getDayOfWeek()) {
                case SATURDAY, SUNDAY -> 1.15;
                default -> 1.0;
            };
            // Black Friday (4th Thursday of November) and the following Monday
            boolean blackFriday = date.getMonthValue() == 11 && date.getDayOfWeek().getValue() == 5
                    && date.getDayOfMonth() >= 23 && date.getDayOfMonth() <= 29;
            double spike = blackFriday ? 2.5 : 1.0;
            total += growth * month * weekday * spike;
            cdf[d] = total;
        }
        return cdf;
    }

    private SplittableRandom rng(long salt, long id) {
        return new SplittableRandom(mix(seed ^ mix(salt * 0x9E3779B97F4A7C15L + id)));
    }

    /** SplitMix64 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int pick(SplittableRandom r, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static boolean contains(long[] a, int n, long v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }
}
