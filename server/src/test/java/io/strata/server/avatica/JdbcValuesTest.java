package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.sql.SqlColumn;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta.CursorFactory;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.AvaticaSite;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.remote.JsonService;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.util.Cursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every Arrow type a SQL cursor can produce, through a frame, through both wire formats, read
 * back with the accessors the stock Avatica driver uses.
 */
class JdbcValuesTest {
  static final LocalDate DAY = LocalDate.of(2024, 2, 29);
  static final LocalDateTime WALL = LocalDateTime.of(2024, 2, 29, 13, 45, 12, 345_678_000);
  static final LocalDateTime BEFORE_1970 = LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_000_000);
  static final LocalTime TIME = LocalTime.of(13, 45, 12, 345_678_000);

  BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  /** One column under test: what the SQL layer says, and its vector with row 0 set, row 1 null. */
  record Case(SqlColumn column, FieldVector vector) {}

  private static SqlColumn col(String name, int type, String typeName) {
    return new SqlColumn(name, type, typeName, true, 0, 0, null);
  }

  private <V extends FieldVector> Case c(SqlColumn column, V vector,
      java.util.function.Consumer<V> setRow0) {
    vector.allocateNew();
    setRow0.accept(vector);
    vector.setNull(1);
    vector.setValueCount(2);
    return new Case(column, vector);
  }

  private static long micros(LocalDateTime t) {
    return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), t);
  }

  List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(c(col("s", Types.VARCHAR, "VARCHAR"), new VarCharVector("s", allocator),
        v -> v.setSafe(0, "héllo ✓".getBytes(StandardCharsets.UTF_8))));
    cases.add(c(col("i8", Types.TINYINT, "TINYINT"), new TinyIntVector("i8", allocator),
        v -> v.set(0, -7)));
    cases.add(c(col("i16", Types.SMALLINT, "SMALLINT"), new SmallIntVector("i16", allocator),
        v -> v.set(0, -300)));
    cases.add(c(col("i32", Types.INTEGER, "INTEGER"), new IntVector("i32", allocator),
        v -> v.set(0, 123_456)));
    cases.add(c(col("i64", Types.BIGINT, "BIGINT"), new BigIntVector("i64", allocator),
        v -> v.set(0, 9_000_000_000L)));
    cases.add(c(col("f32", Types.REAL, "REAL"), new Float4Vector("f32", allocator),
        v -> v.set(0, 1.5f)));
    cases.add(c(col("f64", Types.DOUBLE, "DOUBLE"), new Float8Vector("f64", allocator),
        v -> v.set(0, 2.25)));
    cases.add(c(new SqlColumn("dec", Types.DECIMAL, "DECIMAL", true, 10, 2, null),
        new DecimalVector("dec", allocator, 10, 2), v -> v.set(0, new BigDecimal("-12345.67"))));
    cases.add(c(col("b", Types.BOOLEAN, "BOOLEAN"), new BitVector("b", allocator),
        v -> v.set(0, 1)));
    cases.add(c(col("d", Types.DATE, "DATE"), new DateDayVector("d", allocator),
        v -> v.set(0, (int) DAY.toEpochDay())));
    cases.add(c(col("ts_ms", Types.TIMESTAMP, "TIMESTAMP"),
        new TimeStampMilliVector("ts_ms", allocator),
        v -> v.set(0, WALL.toInstant(ZoneOffset.UTC).toEpochMilli())));
    cases.add(c(col("ts_us", Types.TIMESTAMP, "TIMESTAMP"),
        new TimeStampMicroVector("ts_us", allocator), v -> v.set(0, micros(WALL))));
    cases.add(c(col("ts_old", Types.TIMESTAMP, "TIMESTAMP"),
        new TimeStampNanoVector("ts_old", allocator), v -> v.set(0, micros(BEFORE_1970) * 1000)));
    cases.add(c(col("ts_tz", Types.TIMESTAMP_WITH_TIMEZONE, "TIMESTAMP WITH TIME ZONE"),
        new TimeStampMicroTZVector("ts_tz", allocator, "UTC"), v -> v.set(0, micros(WALL))));
    cases.add(c(col("t_ms", Types.TIME, "TIME"), new TimeMilliVector("t_ms", allocator),
        v -> v.set(0, (int) (TIME.toNanoOfDay() / 1_000_000))));
    cases.add(c(col("t_us", Types.TIME, "TIME"), new TimeMicroVector("t_us", allocator),
        v -> v.set(0, TIME.toNanoOfDay() / 1_000)));
    cases.add(c(col("bin", Types.VARBINARY, "BLOB"), new VarBinaryVector("bin", allocator),
        v -> v.setSafe(0, new byte[] {1, 2, (byte) 0xff})));
    // declared as something the data is not: the Arrow type decides
    cases.add(c(col("u32", Types.OTHER, "UINTEGER"), new UInt4Vector("u32", allocator),
        v -> v.set(0, (int) 4_000_000_000L)));
    cases.add(c(col("u64", Types.OTHER, "UBIGINT"), new UInt8Vector("u64", allocator),
        v -> v.set(0, -1L)));
    cases.add(c(col("lie", Types.INTEGER, "INTEGER"), new VarCharVector("lie", allocator),
        v -> v.setSafe(0, "not a number".getBytes(StandardCharsets.UTF_8))));
    // a number the SQL layer calls a string: rendered as text
    cases.add(c(col("num_as_text", Types.VARCHAR, "VARCHAR"), new BigIntVector("num_as_text",
        allocator), v -> v.set(0, 42)));
    return cases;
  }

  /** What the stock driver's accessor for each case must answer for row 0. */
  private static Object expected(String name) {
    return switch (name) {
      case "s" -> "héllo ✓";
      case "i8" -> (byte) -7;
      case "i16" -> (short) -300;
      case "i32" -> 123_456;
      case "i64" -> 9_000_000_000L;
      case "f32" -> 1.5f;
      case "f64" -> 2.25;
      case "dec" -> new BigDecimal("-12345.67");
      case "b" -> true;
      case "d" -> DAY;
      case "ts_ms", "ts_us", "ts_tz" -> WALL.truncatedTo(ChronoUnit.MILLIS);
      case "ts_old" -> BEFORE_1970;
      case "t_ms", "t_us" -> TIME.truncatedTo(ChronoUnit.MILLIS);
      case "bin" -> new byte[] {1, 2, (byte) 0xff};
      case "u32" -> 4_000_000_000L;
      case "u64" -> new BigDecimal("18446744073709551615");
      case "lie" -> "not a number";
      case "num_as_text" -> "42";
      default -> throw new AssertionError(name);
    };
  }

  private static int expectedType(String name) {
    return switch (name) {
      case "s", "lie", "num_as_text" -> Types.VARCHAR;
      case "i8" -> Types.TINYINT;
      case "i16" -> Types.SMALLINT;
      case "i32" -> Types.INTEGER;
      case "i64", "u32" -> Types.BIGINT;
      case "f32" -> Types.REAL;
      case "f64" -> Types.DOUBLE;
      case "dec", "u64" -> Types.DECIMAL;
      case "b" -> Types.BOOLEAN;
      case "d" -> Types.DATE;
      case "ts_ms", "ts_us", "ts_old", "ts_tz" -> Types.TIMESTAMP;
      case "t_ms", "t_us" -> Types.TIME;
      case "bin" -> Types.VARBINARY;
      default -> throw new AssertionError(name);
    };
  }

  /** A frame of the cases' two rows, with its columns. */
  private record Result(List<ColumnMetaData> columns, Frame frame, List<String> names) {}

  private Result frame() {
    List<Case> cases = cases();
    List<SqlColumn> columns = cases.stream().map(Case::column).toList();
    List<FieldVector> vectors = cases.stream().map(Case::vector).toList();
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(2);
    try (ResultStream stream = new ResultStream(new FakeCursor(columns, List.of(root)), -1)) {
      Frame frame = stream.next(100);
      assertThat(frame.done).isTrue();
      return new Result(stream.metaData(), frame, columns.stream().map(SqlColumn::name).toList());
    }
  }

  @Test
  void everyArrowTypeRoundTripsThroughProtobuf() throws Exception {
    Result r = frame();
    List<ColumnMetaData> columns = r.columns().stream()
        .map(c -> ColumnMetaData.fromProto(c.toProto())).toList();
    Frame frame = Frame.fromProto(r.frame().toProto());
    check(r.names(), columns, frame);
  }

  @Test
  void everyArrowTypeRoundTripsThroughJson() throws Exception {
    Result r = frame();
    String json = JsonService.MAPPER.writeValueAsString(new Service.ExecuteResponse(List.of(
        new Service.ResultSetResponse("c", 1, false, new org.apache.calcite.avatica.Meta
            .Signature(r.columns(), "sql", List.of(), null, CursorFactory.LIST, null),
            r.frame(), -1, null)), false, null));
    Service.ExecuteResponse back = (Service.ExecuteResponse) JsonService.MAPPER.readValue(json,
        Service.Response.class);
    Service.ResultSetResponse rs = back.results.get(0);
    check(r.names(), rs.signature.columns.stream().map(JdbcValuesTest::finagle).toList(),
        rs.firstFrame);
  }

  /**
   * What the JSON driver does to the columns it receives (Avatica's package-private
   * {@code AbstractService.finagle}): JSON numbers may come back as any Number, binary as
   * base64 text.
   */
  static ColumnMetaData finagle(ColumnMetaData column) {
    switch (column.type.rep) {
      case BYTE, PRIMITIVE_BYTE, DOUBLE, PRIMITIVE_DOUBLE, FLOAT, PRIMITIVE_FLOAT, INTEGER,
          PRIMITIVE_INT, SHORT, PRIMITIVE_SHORT, LONG, PRIMITIVE_LONG:
        return column.setRep(ColumnMetaData.Rep.NUMBER);
      default:
        break;
    }
    return switch (column.type.id) {
      case Types.VARBINARY, Types.BINARY -> column.setRep(ColumnMetaData.Rep.STRING);
      case Types.DECIMAL, Types.NUMERIC -> column.setRep(ColumnMetaData.Rep.NUMBER);
      default -> column;
    };
  }

  /**
   * Reads row 0 and 1 as the driver does: its calendar is in the connection's time zone, by
   * default the JVM's, and date-times come out as the wall-clock values the warehouse holds.
   */
  private void check(List<String> names, List<ColumnMetaData> columns, Frame frame)
      throws Exception {
    Cursor cursor = MetaImpl.createCursor(CursorFactory.LIST, frame.rows);
    Calendar local = Calendar.getInstance(TimeZone.getDefault());
    List<Cursor.Accessor> accessors = cursor.createAccessors(columns, local, null);
    assertThat(cursor.next()).isTrue();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      ColumnMetaData column = columns.get(i);
      assertThat(column.type.id).as(name).isEqualTo(expectedType(name));
      assertThat(column.label).isEqualTo(name);
      Cursor.Accessor a = accessors.get(i);
      Object want = expected(name);
      Object got = switch (column.type.id) {
        case Types.DATE -> a.getDate(local).toLocalDate();
        case Types.TIMESTAMP -> a.getTimestamp(local).toLocalDateTime();
        case Types.TIME -> new java.sql.Timestamp(a.getTime(local).getTime())
            .toLocalDateTime().toLocalTime();
        case Types.DECIMAL -> a.getBigDecimal();
        case Types.VARBINARY -> a.getBytes();
        default -> AvaticaSite.get(a, column.type.id, column.signed, local); // ResultSet.getObject
      };
      assertThat(got).as(name).isEqualTo(want);
      assertThat(a.wasNull()).isFalse();
    }
    // TIMESTAMP's text is the wall clock, with milliseconds
    int ts = names.indexOf("ts_us");
    assertThat(accessors.get(ts).getString()).isEqualTo("2024-02-29 13:45:12.345");
    assertThat(accessors.get(names.indexOf("d")).getString()).isEqualTo("2024-02-29");
    assertThat(cursor.next()).isTrue();
    for (int i = 0; i < names.size(); i++) {
      assertThat(accessors.get(i).getObject()).as(names.get(i) + " null").isNull();
      assertThat(accessors.get(i).wasNull()).isTrue();
    }
    assertThat(cursor.next()).isFalse();
  }

  @Test
  void nestedAndUntypedValuesTravelAsText() {
    ListVector list = ListVector.empty("l", allocator);
    UnionListWriter w = list.getWriter();
    w.setPosition(0);
    w.startList();
    w.writeInt(1);
    w.writeInt(2);
    w.endList();
    w.setValueCount(1);
    list.setValueCount(1);
    NullVector nulls = new NullVector("n", 1);
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(list, nulls));
    root.setRowCount(1);
    List<SqlColumn> cols = List.of(col("l", Types.ARRAY, "INTEGER[]"),
        col("n", Types.NULL, "NULL"));
    try (ResultStream stream = new ResultStream(new FakeCursor(cols, List.of(root)), -1)) {
      Frame f = stream.next(10);
      assertThat(stream.metaData()).extracting(c -> c.type.id)
          .containsExactly(Types.VARCHAR, Types.VARCHAR);
      Object[] row = (Object[]) f.rows.iterator().next();
      assertThat(row[0]).isEqualTo("[1,2]");
      assertThat(row[1]).isNull();
    }
  }

  @Test
  void metadataMirrorsJdbcMeta() {
    ColumnMetaData ts = JdbcValues.metaData(0, "t", Types.TIMESTAMP, "TIMESTAMP", false, 0, 0);
    assertThat(ts.type.rep).isEqualTo(ColumnMetaData.Rep.PRIMITIVE_LONG);
    assertThat(ts.nullable).isEqualTo(java.sql.DatabaseMetaData.columnNoNulls);
    assertThat(ts.columnClassName).isEqualTo("java.sql.Timestamp");
    assertThat(ts.precision).isEqualTo(3);
    ColumnMetaData d = JdbcValues.metaData(0, "d", Types.DATE, "DATE", true, 0, 0);
    assertThat(d.type.rep).isEqualTo(ColumnMetaData.Rep.PRIMITIVE_INT);
    ColumnMetaData dec = JdbcValues.metaData(0, "x", Types.DECIMAL, "DECIMAL", true, 12, 2);
    assertThat(dec.type.rep).isEqualTo(ColumnMetaData.Rep.NUMBER);
    assertThat(dec.precision).isEqualTo(12);
    assertThat(dec.scale).isEqualTo(2);
    assertThat(dec.signed).isTrue();
    ColumnMetaData s = JdbcValues.metaData(0, "s", Types.VARCHAR, "VARCHAR", true, 0, 0);
    assertThat(s.type.rep).isEqualTo(ColumnMetaData.Rep.STRING);
    assertThat(s.readOnly).isTrue();
  }

  /** Only a slice of the rows is ever converted: frames are cut from batches, across batches. */
  @Test
  void framesAreCutFromBatchesAndTheLastClosesTheCursor() {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    int n = 0;
    for (int size : new int[] {3, 0, 4, 2}) {
      BigIntVector v = new BigIntVector("n", allocator);
      v.allocateNew(Math.max(size, 1));
      for (int i = 0; i < size; i++) {
        v.set(i, n++);
      }
      v.setValueCount(size);
      VectorSchemaRoot root = new VectorSchemaRoot(List.<FieldVector>of(v));
      root.setRowCount(size);
      batches.add(root);
    }
    FakeCursor cursor = new FakeCursor(List.of(col("n", Types.BIGINT, "BIGINT")), batches);
    ResultStream stream = new ResultStream(cursor, -1);
    Function<Frame, List<Long>> values = f -> {
      List<Long> out = new ArrayList<>();
      f.rows.forEach(r -> out.add((Long) ((Object[]) r)[0]));
      return out;
    };
    Frame f1 = stream.next(2);
    assertThat(values.apply(f1)).containsExactly(0L, 1L);
    assertThat(f1.offset).isZero();
    assertThat(f1.done).isFalse();
    Frame f2 = stream.next(4);
    assertThat(values.apply(f2)).containsExactly(2L, 3L, 4L, 5L);
    assertThat(f2.offset).isEqualTo(2);
    assertThat(f2.done).isFalse();
    assertThat(cursor.closed).isFalse();
    Frame f3 = stream.next(3);
    assertThat(values.apply(f3)).containsExactly(6L, 7L, 8L);
    assertThat(f3.done).as("no row is left: the last frame says so").isTrue();
    assertThat(cursor.closed).isTrue();
    assertThat(stream.offset()).isEqualTo(9);
  }

  @Test
  void maxRowsStopsTheResultAndClosesTheCursor() {
    BigIntVector v = new BigIntVector("n", allocator);
    v.allocateNew(10);
    for (int i = 0; i < 10; i++) {
      v.set(i, i);
    }
    v.setValueCount(10);
    VectorSchemaRoot root = new VectorSchemaRoot(List.<FieldVector>of(v));
    root.setRowCount(10);
    FakeCursor cursor = new FakeCursor(List.of(col("n", Types.BIGINT, "BIGINT")),
        List.of(root));
    ResultStream stream = new ResultStream(cursor, 4);
    Frame f1 = stream.next(3);
    assertThat(f1.done).isFalse();
    Frame f2 = stream.next(3);
    assertThat(f2.rows).hasSize(1);
    assertThat(f2.done).isTrue();
    assertThat(cursor.closed).isTrue();
  }

  @Test
  void anEmptyResultIsOneEmptyDoneFrame() {
    BigIntVector v = new BigIntVector("n", allocator);
    VectorSchemaRoot root = new VectorSchemaRoot(List.<FieldVector>of(v));
    root.setRowCount(0);
    FakeCursor cursor = new FakeCursor(List.of(col("n", Types.BIGINT, "BIGINT")),
        List.of(root));
    ResultStream stream = new ResultStream(cursor, -1);
    Frame f = stream.next(100);
    assertThat(f.rows).isEmpty();
    assertThat(f.done).isTrue();
    assertThat(cursor.closed).isTrue();
  }

  @Test
  void instantsUseTheirUtcWallClock() {
    long micros = micros(WALL);
    assertThat(Instant.EPOCH.plus(micros, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC)
        .toLocalDateTime()).isEqualTo(WALL);
  }
}
