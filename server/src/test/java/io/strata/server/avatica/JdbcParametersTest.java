package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import org.apache.calcite.avatica.ColumnMetaData.Rep;
import org.apache.calcite.avatica.remote.TypedValue;
import org.junit.jupiter.api.Test;

/** Parameter values as the remote driver sends them, turned into the SQL layer's values. */
class JdbcParametersTest {
  /** As the driver builds them: setDate(x) and friends with the connection's calendar. */
  static TypedValue jdbc(Rep rep, Object value) {
    return TypedValue.ofJdbc(rep, value, Calendar.getInstance(TimeZone.getDefault()));
  }

  @Test
  void scalarsKeepTheirJavaTypes() {
    List<Object> v = JdbcParameters.values(List.of(
        TypedValue.ofLocal(Rep.STRING, "completed"),
        TypedValue.ofLocal(Rep.INTEGER, 3),
        TypedValue.ofLocal(Rep.LONG, 4L),
        TypedValue.ofLocal(Rep.DOUBLE, 1.5),
        TypedValue.ofLocal(Rep.NUMBER, new BigDecimal("2.50")),
        TypedValue.ofLocal(Rep.BOOLEAN, true),
        TypedValue.EXPLICIT_NULL), 7);
    assertThat(v).containsExactly("completed", 3, 4L, 1.5, new BigDecimal("2.50"), true, null);
  }

  @Test
  void datesAndTimesAreTheClientsWallClock() {
    List<Object> v = JdbcParameters.values(List.of(
        jdbc(Rep.JAVA_SQL_DATE, Date.valueOf("2024-02-29")),
        jdbc(Rep.JAVA_SQL_TIMESTAMP, Timestamp.valueOf("1969-12-31 23:59:59.123")),
        jdbc(Rep.JAVA_SQL_TIME, java.sql.Time.valueOf("13:45:12"))), 3);
    assertThat(v).containsExactly(LocalDate.of(2024, 2, 29),
        LocalDateTime.of(1969, 12, 31, 23, 59, 59, 123_000_000), LocalTime.of(13, 45, 12));
  }

  @Test
  void missingParametersAreNamed() {
    assertThatThrownBy(() -> JdbcParameters.values(List.of(), 2))
        .isInstanceOf(JdbcException.class)
        .hasFieldOrPropertyWithValue("sqlState", "07001")
        .extracting(e -> ((JdbcException) e).getErrorMessage())
        .isEqualTo("the statement has 2 parameters but 0 were set");
    assertThatThrownBy(() -> JdbcParameters.values(Arrays.asList(
        TypedValue.ofLocal(Rep.STRING, "x"), null), 2))
        .extracting(e -> ((JdbcException) e).getErrorMessage())
        .isEqualTo("parameter 2 is not set");
  }

  @Test
  void bytesAreBytes() {
    Object v = JdbcParameters.value(jdbc(Rep.BYTE_STRING, new byte[] {1, 2}), 1);
    assertThat(v).isEqualTo(new byte[] {1, 2});
  }
}
