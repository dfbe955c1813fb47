package io.strata.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.DenseUnionVector;
import org.apache.arrow.vector.holders.NullableBigIntHolder;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.Test;

/** Parameter values as clients bind them in Arrow, read as the Java values SqlService binds. */
class FlightParametersTest {
  @Test
  void everyTypeAClientMayBind() {
    try (BufferAllocator a = new RootAllocator();
        VarCharVector text = new VarCharVector("text", a);
        BigIntVector big = new BigIntVector("big", a);
        IntVector small = new IntVector("int", a);
        Float4Vector real = new Float4Vector("real", a);
        DecimalVector decimal = new DecimalVector("decimal", a, 10, 2);
        BitVector bool = new BitVector("bool", a);
        DateDayVector day = new DateDayVector("day", a);
        DateMilliVector dayMillis = new DateMilliVector("dayMillis", a);
        TimeStampMicroVector local = new TimeStampMicroVector("local", a);
        TimeStampMilliTZVector zoned = new TimeStampMilliTZVector("zoned", a, "UTC");
        UInt8Vector unsigned = new UInt8Vector("unsigned", a);
        NullVector nothing = new NullVector("nothing");
        DenseUnionVector union = DenseUnionVector.empty("union", a)) {
      text.setSafe(0, new Text("web"));
      big.setSafe(0, 42L);
      small.setSafe(0, 7);
      real.setSafe(0, 1.5f);
      decimal.setSafe(0, new BigDecimal("12.34"));
      bool.setSafe(0, 1);
      day.setSafe(0, (int) LocalDate.of(2024, 1, 1).toEpochDay());
      dayMillis.setSafe(0, LocalDate.of(2024, 2, 1).toEpochDay() * 86_400_000L);
      local.setSafe(0, LocalDateTime.of(2024, 3, 1, 12, 30).toEpochSecond(
          java.time.ZoneOffset.UTC) * 1_000_000L + 5);
      zoned.setSafe(0, Instant.parse("2024-04-01T00:00:00Z").toEpochMilli());
      unsigned.setSafe(0, -1L);
      byte bigType = union.registerNewTypeId(
          new org.apache.arrow.vector.types.pojo.Field("b", FieldType.nullable(
              MinorType.BIGINT.getType()), null));
      union.setTypeId(0, bigType);
      NullableBigIntHolder h = new NullableBigIntHolder();
      h.isSet = 1;
      h.value = 9;
      union.setSafe(0, h);
      union.setValueCount(1);
      List<FieldVector> vectors = List.of(text, big, small, real, decimal, bool, day, dayMillis,
          local, zoned, unsigned, nothing, union);
      for (FieldVector v : vectors) {
        v.setValueCount(1);
      }
      try (VectorSchemaRoot root = new VectorSchemaRoot(vectors)) {
        assertThat(FlightParameters.row(root, 0)).containsExactly("web", 42L, 7L, 1.5d,
            new BigDecimal("12.34"), true, LocalDate.of(2024, 1, 1), LocalDate.of(2024, 2, 1),
            LocalDateTime.of(2024, 3, 1, 12, 30, 0, 5000), Instant.parse("2024-04-01T00:00:00Z"),
            new BigInteger("18446744073709551615"), null, 9L);
      }
    }
  }

  @Test
  void nullsAndUnsupportedTypes() {
    try (BufferAllocator a = new RootAllocator();
        VarCharVector text = new VarCharVector("text", a);
        VarBinaryVector bytes = new VarBinaryVector("bytes", a)) {
      text.setNull(0);
      text.setValueCount(1);
      bytes.setSafe(0, new byte[] {1});
      bytes.setValueCount(1);
      assertThat(FlightParameters.value(text, 0, 0)).isNull();
      assertThatThrownBy(() -> FlightParameters.value(bytes, 0, 1))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("parameter 2 is a byte[]");
    }
  }

  @Test
  void declaredAsNullableStrings() {
    assertThat(FlightParameters.schema(2).getFields()).allSatisfy(f -> {
      assertThat(f.getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
      assertThat(f.isNullable()).isTrue();
    }).extracting(f -> f.getName()).containsExactly("parameter_1", "parameter_2");
  }

  @Test
  void filterPatternsAreSqlLike() {
    assertThat(Arrays.asList("orders", "order_items", "customers", "ord%x").stream()
        .filter(FlightMetadata.like("ord%")).toList())
        .containsExactly("orders", "order_items", "ord%x");
    assertThat(FlightMetadata.like("order\\_items").test("order_items")).isTrue();
    assertThat(FlightMetadata.like("order\\_items").test("orderXitems")).isFalse();
    assertThat(FlightMetadata.like("order_items").test("orderXitems")).isTrue();
    assertThat(FlightMetadata.like("a.c").test("abc")).as("dots are literal").isFalse();
    assertThat(FlightMetadata.like("%").test("")).isTrue();
  }
}
