package io.strata.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.model.MemberKind;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.adapter.jdbc.ArrowVectorIterator;
import org.apache.arrow.adapter.jdbc.JdbcToArrow;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The type rules of {@link ArrowConversion} against what each driver really returns, for the
 * types the demo does not produce: wide and unsigned integers, numerics without precision,
 * time zones, infinities, and the types that fall back to text.
 */
class ArrowConversionTest {
  static final LocalDateTime TS = LocalDateTime.parse("2024-01-02T03:04:05.123456");
  /** 03:04:05.123456 at +02:00, in UTC. */
  static final LocalDateTime TS_UTC = LocalDateTime.parse("2024-01-02T01:04:05.123456");

  RootAllocator allocator;

  @BeforeAll
  static void quiet() {
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  /** One converted row: field by column label, and its value. */
  record Row(Map<String, Field> fields, Map<String, Object> values) {
    ArrowType type(String column) {
      return fields.get(column).getType();
    }

    String conversion(String column) {
      return fields.get(column).getMetadata().get(ArrowConversion.CONVERSION);
    }

    Object value(String column) {
      return values.get(column);
    }
  }

  /**
   * Converts the first row of {@code sql} as the query service does; {@code memberTypes} gives
   * the semantic type of some columns by label (others have none).
   */
  Row convert(Connection c, String sql, Map<String, String> memberTypes) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      var md = rs.getMetaData();
      List<OutputColumn> cols = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String label = md.getColumnLabel(i);
        cols.add(new OutputColumn("t." + label, null, label, MemberKind.DIMENSION,
            memberTypes.get(label), null, null));
      }
      List<ArrowConversion.Column> plans = ArrowConversion.plan(md, cols);
      Schema schema = ArrowConversion.schema(plans, cols, md);
      List<String> names = schema.getFields().stream().map(Field::getName).toList();
      ArrowVectorIterator it = JdbcToArrow.sqlToArrowVectorIterator(rs,
          ArrowConversion.config(allocator, 16, plans, names));
      try (VectorSchemaRoot batch = it.next()) {
        assertThat(batch.getRowCount()).isEqualTo(1);
        Map<String, Field> fields = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) {
          String label = cols.get(i).alias();
          fields.put(label, schema.getFields().get(i));
          // the batch's vectors carry arrow-jdbc's field; the client schema must match its type
          assertThat(batch.getVector(i).getField().getType())
              .isEqualTo(schema.getFields().get(i).getType());
          values.put(label, RowWriters.value(batch.getVector(i), 0));
        }
        return new Row(fields, values);
      }
    }
  }

  static ArrowType decimal(int p, int s) {
    return new ArrowType.Decimal(p, s, p > 38 ? 256 : 128);
  }

  static final ArrowType MICROS = new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);

  @Test
  void duckdb() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      Row r = convert(c, """
          SELECT 10000000000000000000000000000000000000::HUGEINT AS h,
                 18446744073709551615::UBIGINT AS ub,
                 340282366920938463463374607431768211455::UHUGEINT AS uh,
                 255::UTINYINT AS ut, 4294967295::UINTEGER AS ui,
                 TIMESTAMP '2024-01-02 03:04:05.123456' AS ts,
                 TIMESTAMPTZ '2024-01-02 03:04:05.123456+02' AS tstz,
                 TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ns,
                 DATE '2024-01-02' AS d, DATE '2024-01-02' AS d_time,
                 INTERVAL 3 DAY AS iv, '6f1e1c6a-1f0b-4d4e-9d8e-3c1f7a1b2c3d'::UUID AS u,
                 [1, 2] AS l, {'a': 1} AS st, 1.5::FLOAT AS f, true AS b,
                 12345.678::DECIMAL(18,3) AS dec, NULL::INTEGER AS n, 'x' AS s
          """, Map.of("d_time", "time"));
      assertThat(r.type("h")).isEqualTo(decimal(38, 0));
      assertThat(r.value("h")).isEqualTo(new BigDecimal("1E+37").setScale(0));
      assertThat(r.conversion("h")).isEqualTo("HUGEINT read as Decimal(38,0)");
      assertThat(r.type("ub")).isEqualTo(decimal(20, 0));
      assertThat(r.value("ub")).isEqualTo(new BigDecimal("18446744073709551615"));
      assertThat(r.type("uh")).isEqualTo(decimal(39, 0));
      assertThat(r.value("uh")).isEqualTo(new BigDecimal("340282366920938463463374607431768211455"));
      assertThat(r.value("ut")).isEqualTo(255L);
      assertThat(r.value("ui")).isEqualTo(4294967295L);
      assertThat(r.type("ts")).isEqualTo(MICROS);
      assertThat(r.value("ts")).isEqualTo(TS);
      assertThat(r.value("tstz")).isEqualTo(TS_UTC);
      assertThat(r.conversion("tstz")).contains("converted to UTC");
      assertThat(r.value("ns")).isEqualTo(TS); // nanoseconds truncated to micros
      assertThat(r.type("d")).isEqualTo(new ArrowType.Date(
          org.apache.arrow.vector.types.DateUnit.DAY));
      assertThat(r.value("d")).isEqualTo(LocalDate.parse("2024-01-02"));
      assertThat(r.type("d_time")).isEqualTo(MICROS);
      assertThat(r.value("d_time")).isEqualTo(LocalDateTime.parse("2024-01-02T00:00"));
      assertThat(r.value("iv")).isEqualTo("3 days");
      assertThat(r.conversion("iv")).isEqualTo("INTERVAL read as text");
      assertThat(r.value("u")).isEqualTo("6f1e1c6a-1f0b-4d4e-9d8e-3c1f7a1b2c3d");
      assertThat(r.value("l")).isEqualTo("[1, 2]");
      assertThat(r.value("st")).isEqualTo("{'a': 1}");
      assertThat(r.type("f")).isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
      assertThat(r.value("f")).isEqualTo(1.5);
      assertThat(r.value("b")).isEqualTo(true);
      assertThat(r.type("dec")).isEqualTo(decimal(18, 3));
      assertThat(r.value("dec")).isEqualTo(new BigDecimal("12345.678"));
      assertThat(r.value("n")).isNull();
      assertThat(r.value("s")).isEqualTo("x");
      assertThat(r.fields().get("s").getMetadata()).containsEntry(ArrowConversion.SQL_TYPE,
          "VARCHAR").doesNotContainKey(ArrowConversion.CONVERSION);
      assertThat(r.fields().values()).allMatch(Field::isNullable);
    }
  }

  @Test
  void duckdbHugeintBeyondDecimal38FailsNamingTheColumn() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      assertThatThrownBy(() -> convert(c,
          "SELECT 170141183460469231731687303715884105727::HUGEINT AS biggest", Map.of()))
          .hasRootCauseInstanceOf(ArrowConversion.ConversionException.class)
          .rootCause().hasMessage("column 't.biggest' holds"
              + " 170141183460469231731687303715884105727, which does not fit the"
              + " Decimal(38,0) its HUGEINT values are read as");
    }
  }

  @Test
  void postgres() throws Exception {
    try (Connection c = TestSupport.connect(TestSupport.postgresSpec("pg"))) {
      Row r = convert(c, """
          SELECT 1.5::numeric AS n, 2::numeric / 3 AS third, 123.45::numeric(50,2) AS wide,
                 TIMESTAMPTZ '2024-01-02 03:04:05.123456+02' AS tstz,
                 TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, DATE '2024-01-02' AS d,
                 TIME '03:04:05' AS t, INTERVAL '3 days' AS iv, '{"a": 1}'::jsonb AS j,
                 1.5::real AS f4, 12.34::money AS m, 'x'::bytea AS bin, true AS bo,
                 'infinity'::timestamp AS inf, 42::int2 AS si, ARRAY[1, 2] AS arr,
                 (1 = 1) AS cmp
          """, Map.of());
      assertThat(r.type("n")).isEqualTo(decimal(38, 16));
      assertThat(r.conversion("n")).isEqualTo(
          "numeric without declared precision read as Decimal(38,16)");
      assertThat(r.value("n")).isEqualTo(new BigDecimal("1.5000000000000000"));
      // 0.66666666666666666667 (20 decimals) rounded half-up to 16
      assertThat(r.value("third")).isEqualTo(new BigDecimal("0.6666666666666667"));
      assertThat(r.type("wide")).isEqualTo(decimal(50, 2));
      assertThat(r.value("wide")).isEqualTo(new BigDecimal("123.45"));
      assertThat(r.type("tstz")).isEqualTo(MICROS);
      assertThat(r.value("tstz")).isEqualTo(TS_UTC);
      assertThat(r.value("ts")).isEqualTo(TS);
      assertThat(r.value("d")).isEqualTo(LocalDate.parse("2024-01-02"));
      assertThat(r.value("t")).isEqualTo("03:04:05");
      assertThat(r.value("iv")).isEqualTo("3 days");
      assertThat(r.value("j")).isEqualTo("{\"a\": 1}");
      assertThat(r.type("f4")).isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
      assertThat(r.value("f4")).isEqualTo(1.5);
      assertThat(r.value("m")).isEqualTo(12.34);
      assertThat(r.value("bin")).isEqualTo("\\x78");
      assertThat(r.value("bo")).isEqualTo(true);
      assertThat(r.value("inf")).as("infinity clamps to the largest timestamp")
          .isEqualTo(LocalDateTime.parse("+294247-01-10T04:00:54.775807"));
      assertThat(r.type("si")).isEqualTo(new ArrowType.Int(16, true));
      assertThat(r.value("si")).isEqualTo(42L);
      assertThat(r.value("arr")).isEqualTo("{1,2}");
      assertThat(r.type("cmp")).isEqualTo(ArrowType.Bool.INSTANCE);
    }
  }

  @Test
  void postgresNanIsRefusedWithTheReason() throws Exception {
    try (Connection c = TestSupport.connect(TestSupport.postgresSpec("pg"))) {
      assertThatThrownBy(() -> convert(c, "SELECT 'NaN'::numeric AS ratio", Map.of()))
          .rootCause().isInstanceOf(ArrowConversion.ConversionException.class)
          .hasMessageStartingWith("column 't.ratio' holds NaN, which a numeric read as a"
              + " decimal cannot represent");
    }
  }

  @Test
  void mariadb() throws Exception {
    try (Connection c = TestSupport.connect(TestSupport.mariadbSpec("maria"))) {
      Row r = convert(c, """
          SELECT CAST(18446744073709551615 AS UNSIGNED) AS ub, 1 = 1 AS cmp, 1 = 1 AS cmp_num,
                 CAST('2024-01-02 03:04:05.123456' AS DATETIME(6)) AS dt,
                 DATE('2024-01-02') AS d, TIME('03:04:05') AS t,
                 CAST(1.5 AS DECIMAL(65,30)) AS d65, SUM(2) AS s, AVG(2) AS a,
                 1.5e0 AS dbl, JSON_OBJECT('a', 1) AS j, CAST(NULL AS DATETIME) AS nodt
          """, Map.of("cmp", "boolean"));
      assertThat(r.type("ub")).isEqualTo(decimal(20, 0));
      assertThat(r.value("ub")).isEqualTo(new BigDecimal("18446744073709551615"));
      assertThat(r.type("cmp")).isEqualTo(ArrowType.Bool.INSTANCE);
      assertThat(r.conversion("cmp")).contains("read as boolean");
      assertThat(r.value("cmp")).isEqualTo(true);
      assertThat(r.value("cmp_num")).isEqualTo(1L);
      assertThat(r.value("dt")).isEqualTo(TS);
      assertThat(r.value("d")).isEqualTo(LocalDate.parse("2024-01-02"));
      assertThat(r.value("t")).isEqualTo("03:04:05");
      assertThat(r.type("d65")).isEqualTo(decimal(65, 30));
      assertThat(r.value("d65")).isEqualTo(new BigDecimal("1.500000000000000000000000000000"));
      assertThat(r.value("s")).isEqualTo(new BigDecimal("2"));
      assertThat(r.value("a")).isEqualTo(new BigDecimal("2.0000"));
      assertThat(r.value("dbl")).isEqualTo(1.5);
      assertThat(r.value("j")).isEqualTo("{\"a\": 1}");
      assertThat(r.value("nodt")).isNull();
    }
  }

  @Test
  void plansForTypesWithoutADriverAtHand() {
    assertThat(ArrowConversion.plan(java.sql.Types.TINYINT, "TINYINT UNSIGNED", 3, 0, null)
        .type()).isEqualTo(new ArrowType.Int(16, true));
    assertThat(ArrowConversion.plan(java.sql.Types.INTEGER, "INT UNSIGNED", 10, 0, null)
        .type()).isEqualTo(new ArrowType.Int(64, true));
    assertThat(ArrowConversion.plan(java.sql.Types.NUMERIC, "numeric", 1000, 4, null).type())
        .isEqualTo(decimal(76, 4));
    assertThat(ArrowConversion.plan(java.sql.Types.BIT, "BIT", 8, 0, null).type())
        .isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(ArrowConversion.plan(java.sql.Types.OTHER, null, 0, 0, null).conversion())
        .isEqualTo("OTHER read as text");
  }
}
