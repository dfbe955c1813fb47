package io.strata.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JSON rows and CSV of every value type Strata produces, nulls and awkward strings included. */
class RowWritersTest {
  static final List<String> NAMES = List.of("id", "price", "amount", "big", "ratio", "f4", "name",
      "ts", "d", "flag", "small");

  BufferAllocator allocator;
  VectorSchemaRoot root;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    Schema schema = new Schema(List.of(
        field("id", new ArrowType.Int(64, true)),
        field("price", new ArrowType.Decimal(10, 2, 128)),
        field("amount", new ArrowType.Decimal(38, 16, 128)),
        field("big", new ArrowType.Decimal(76, 0, 256)),
        field("ratio", new ArrowType.FloatingPoint(
            org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)),
        field("f4", new ArrowType.FloatingPoint(
            org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)),
        field("name", ArrowType.Utf8.INSTANCE),
        field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
        field("d", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY)),
        field("flag", ArrowType.Bool.INSTANCE),
        field("small", new ArrowType.Int(32, true))));
    root = VectorSchemaRoot.create(schema, allocator);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    DecimalVector price = (DecimalVector) root.getVector("price");
    DecimalVector amount = (DecimalVector) root.getVector("amount");
    Decimal256Vector big = (Decimal256Vector) root.getVector("big");
    Float8Vector ratio = (Float8Vector) root.getVector("ratio");
    Float4Vector f4 = (Float4Vector) root.getVector("f4");
    VarCharVector name = (VarCharVector) root.getVector("name");
    TimeStampMicroVector ts = (TimeStampMicroVector) root.getVector("ts");
    DateDayVector d = (DateDayVector) root.getVector("d");
    BitVector flag = (BitVector) root.getVector("flag");
    IntVector small = (IntVector) root.getVector("small");

    id.setSafe(0, 1);
    price.setSafe(0, new BigDecimal("12.50"));
    amount.setSafe(0, new BigDecimal("1234.5000000000000000"));
    big.setSafe(0, new BigDecimal("123456789012345678901234567890123456789012"));
    ratio.setSafe(0, 1.0e10);
    f4.setSafe(0, 0.1f);
    name.setSafe(0, "He said \"hi\", then left\nbye".getBytes(StandardCharsets.UTF_8));
    ts.setSafe(0, ArrowConversion.micros(LocalDateTime.parse("2024-03-15T06:03:46.123456")));
    d.setSafe(0, (int) LocalDate.parse("2024-01-01").toEpochDay());
    flag.setSafe(0, 1);
    small.setSafe(0, 7);

    id.setSafe(1, -5);
    price.setSafe(1, new BigDecimal("100.00"));
    amount.setSafe(1, new BigDecimal("0E-16"));
    big.setSafe(1, new BigDecimal("-1"));
    ratio.setSafe(1, 1.0e-7);
    f4.setSafe(1, -2.5f);
    name.setSafe(1, new byte[0]);
    ts.setSafe(1, -1); // one microsecond before the epoch
    d.setSafe(1, -1);
    flag.setSafe(1, 0);
    small.setNull(1);

    for (var v : root.getFieldVectors()) {
      v.setNull(2);
    }

    id.setSafe(3, 0);
    ratio.setSafe(3, Double.NaN);
    name.setSafe(3, "plain, or not: \r ok; tab\tünïcode".getBytes(StandardCharsets.UTF_8));
    for (String n : List.of("price", "amount", "big", "f4", "ts", "d", "flag", "small")) {
      root.getVector(n).setNull(3);
    }
    root.setRowCount(4);
  }

  static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  @AfterEach
  void tearDown() {
    root.close();
    allocator.close();
  }

  @Test
  void valuesAreThePromisedJavaTypes() {
    assertThat(RowWriters.value(root.getVector("id"), 0)).isEqualTo(1L);
    assertThat(RowWriters.value(root.getVector("small"), 0)).isEqualTo(7L);
    assertThat(RowWriters.value(root.getVector("small"), 1)).isNull();
    assertThat(RowWriters.value(root.getVector("price"), 0)).isEqualTo(new BigDecimal("12.50"));
    assertThat(RowWriters.value(root.getVector("big"), 1)).isEqualTo(new BigDecimal("-1"));
    assertThat(RowWriters.value(root.getVector("ratio"), 0)).isEqualTo(1.0e10);
    assertThat(RowWriters.value(root.getVector("f4"), 0)).isEqualTo(0.1d);
    assertThat(RowWriters.value(root.getVector("name"), 1)).isEqualTo("");
    assertThat(RowWriters.value(root.getVector("ts"), 0))
        .isEqualTo(LocalDateTime.parse("2024-03-15T06:03:46.123456"));
    assertThat(RowWriters.value(root.getVector("ts"), 1))
        .isEqualTo(LocalDateTime.parse("1969-12-31T23:59:59.999999"));
    assertThat(RowWriters.value(root.getVector("d"), 0)).isEqualTo(LocalDate.parse("2024-01-01"));
    assertThat(RowWriters.value(root.getVector("flag"), 1)).isEqualTo(false);
    assertThat(RowWriters.value(root.getVector("flag"), 2)).isNull();
  }

  @Test
  void jsonRows() throws Exception {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartArray();
      RowWriters.writeJsonRows(root, NAMES, g);
      g.writeEndArray();
    }
    assertThat(out.toString().split("(?<=}),(?=\\{)")).containsExactly(
        "[{\"id\":1,\"price\":12.5,\"amount\":1234.5,"
            + "\"big\":123456789012345678901234567890123456789012,\"ratio\":10000000000,"
            + "\"f4\":0.1,\"name\":\"He said \\\"hi\\\", then left\\nbye\","
            + "\"ts\":\"2024-03-15T06:03:46.123\",\"d\":\"2024-01-01\",\"flag\":true,\"small\":7}",
        "{\"id\":-5,\"price\":100,\"amount\":0,\"big\":-1,\"ratio\":0.0000001,\"f4\":-2.5,"
            + "\"name\":\"\",\"ts\":\"1969-12-31T23:59:59.999\",\"d\":\"1969-12-31\","
            + "\"flag\":false,\"small\":null}",
        "{\"id\":null,\"price\":null,\"amount\":null,\"big\":null,\"ratio\":null,\"f4\":null,"
            + "\"name\":null,\"ts\":null,\"d\":null,\"flag\":null,\"small\":null}",
        "{\"id\":0,\"price\":null,\"amount\":null,\"big\":null,\"ratio\":\"NaN\",\"f4\":null,"
            + "\"name\":\"plain, or not: \\r ok; tab\\tünïcode\",\"ts\":null,\"d\":null,"
            + "\"flag\":null,\"small\":null}]");
  }

  @Test
  void jsonNeedsANamePerColumn() {
    StringWriter out = new StringWriter();
    assertThatThrownBy(() -> {
      try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
        RowWriters.writeJsonRows(root, List.of("id"), g);
      }
    }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11 columns");
  }

  @Test
  void csvFollowsRfc4180() throws Exception {
    StringWriter out = new StringWriter();
    RowWriters.writeCsvHeader(List.of("orders.count", "a,b", "say \"x\""), out);
    assertThat(out.toString()).isEqualTo("orders.count,\"a,b\",\"say \"\"x\"\"\"\r\n");
    out = new StringWriter();
    RowWriters.writeCsv(root, out);
    assertThat(out.toString()).isEqualTo(
        "1,12.5,1234.5,123456789012345678901234567890123456789012,10000000000,0.1,"
            + "\"He said \"\"hi\"\", then left\nbye\",2024-03-15T06:03:46.123,2024-01-01,true,7"
            + "\r\n"
            + "-5,100,0,-1,0.0000001,-2.5,\"\",1969-12-31T23:59:59.999,1969-12-31,false,\r\n"
            + ",,,,,,,,,,\r\n"
            + "0,,,,NaN,,\"plain, or not: \r ok; tab\tünïcode\",,,,\r\n");
  }

  @Test
  void csvNeutralisesFormulasInTextColumnsOnly() throws Exception {
    VarCharVector name = (VarCharVector) root.getVector("name");
    String[] attacks = {"=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\r=1",
        "=say \"hi\", then"};
    for (String attack : attacks) {
      root.clear();
      root.allocateNew();
      name.setSafe(0, attack.getBytes(StandardCharsets.UTF_8));
      ((BigIntVector) root.getVector("id")).setSafe(0, -5);
      root.getVector("small").setNull(0);
      for (String n : List.of("price", "amount", "big", "ratio", "f4", "ts", "d", "flag")) {
        root.getVector(n).setNull(0);
      }
      root.setRowCount(1);
      StringWriter out = new StringWriter();
      RowWriters.writeCsv(root, out, true);
      // the text column is quoted and prefixed with ', the negative number stays a number
      assertThat(out.toString()).as(attack)
          .isEqualTo("-5,,,,,,\"'" + attack.replace("\"", "\"\"") + "\",,,,\r\n");
      out = new StringWriter();
      RowWriters.writeCsv(root, out, false);
      assertThat(out.toString()).as(attack).doesNotContain("'").startsWith("-5,,,,,,");
    }
    StringWriter header = new StringWriter();
    RowWriters.writeCsvHeader(List.of("=cmd|' /C calc'!A0", "ok"), header);
    assertThat(header.toString()).isEqualTo("\"'=cmd|' /C calc'!A0\",ok\r\n");
    assertThat(RowWriters.looksLikeFormula("a=b")).isFalse();
    assertThat(RowWriters.looksLikeFormula("")).isFalse();
  }
}
