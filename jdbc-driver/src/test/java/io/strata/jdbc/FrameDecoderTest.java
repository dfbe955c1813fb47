package io.strata.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's own reading of row-carrying responses gives what Avatica's parse gives, for
 * frames as Avatica's server writes them (each value twice, old and new style) and every
 * value class a frame carries; arrays are left to Avatica.
 */
class FrameDecoderTest {
  static final ProtobufTranslationImpl AVATICA = new ProtobufTranslationImpl();
  static final WireNameTranslation OURS = new WireNameTranslation();
  static final WireNameTranslation STOCK = new WireNameTranslation(AVATICA, false);

  static List<Object> rows() {
    List<Object> rows = new ArrayList<>();
    rows.add(new Object[] {"héllo ✓ 😀", (byte) -7, (short) -300, 123_456, 9_000_000_000L, 1.5f,
        -0.0, new BigDecimal("-12345.67"), true, new byte[] {1, 2, (byte) 0xff}, 'c',
        new BigDecimal("1E+5"), "", 0, 0L, false});
    rows.add(new Object[] {null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null});
    rows.add(new Object[] {"x", Byte.MIN_VALUE, Short.MAX_VALUE, Integer.MIN_VALUE,
        Long.MIN_VALUE, Float.NaN, Double.MAX_VALUE, new BigDecimal("0.000000001"), false,
        new byte[0], 'z', BigDecimal.ZERO, "日本", -1, -1L, true});
    return rows;
  }

  static void assertSameRows(Meta.Frame got, Meta.Frame want) {
    assertThat(got.offset).isEqualTo(want.offset);
    assertThat(got.done).isEqualTo(want.done);
    List<Object> g = new ArrayList<>();
    got.rows.forEach(g::add);
    List<Object> w = new ArrayList<>();
    want.rows.forEach(w::add);
    assertThat(g).hasSameSizeAs(w);
    for (int i = 0; i < g.size(); i++) {
      List<?> gr = (List<?>) g.get(i);
      List<?> wr = (List<?>) w.get(i);
      assertThat(gr).hasSameSizeAs(wr);
      for (int c = 0; c < gr.size(); c++) {
        Object a = gr.get(c);
        Object b = wr.get(c);
        assertThat(Arrays.deepEquals(new Object[] {a}, new Object[] {b}))
            .as("row %d column %d: %s vs %s", i, c, a, b).isTrue();
        if (b != null) {
          assertThat(a.getClass()).isEqualTo(b.getClass());
        }
      }
    }
  }

  @Test
  void fetchResponsesReadAsAvaticaReadsThem() throws Exception {
    Service.FetchResponse response = new Service.FetchResponse(new Meta.Frame(20_000, false,
        rows()), false, true, new Service.RpcMetadataResponse("host:8765"));
    byte[] bytes = AVATICA.serializeResponse(response);
    Service.FetchResponse got = (Service.FetchResponse) OURS.parseResponse(bytes);
    Service.FetchResponse want = (Service.FetchResponse) STOCK.parseResponse(bytes);
    assertSameRows(got.frame, want.frame);
    assertThat(got.missingResults).isTrue();
    assertThat(got.missingStatement).isFalse();
    assertThat(got.rpcMetadata).isEqualTo(want.rpcMetadata);
  }

  @Test
  void executeResponsesKeepSignatureAndUpdateCount() throws Exception {
    ColumnMetaData c = ColumnMetaData.dummy(ColumnMetaData.scalar(Types.VARCHAR, "VARCHAR",
        ColumnMetaData.Rep.STRING), true);
    Meta.Signature signature = new Meta.Signature(List.of(c), "SELECT 1", List.of(), null,
        Meta.CursorFactory.LIST, Meta.StatementType.SELECT);
    Service.ExecuteResponse response = new Service.ExecuteResponse(List.of(
        new Service.ResultSetResponse("conn-1", 42, true, signature,
            new Meta.Frame(0, true, rows()), -1, null)), false, null);
    byte[] bytes = AVATICA.serializeResponse(response);
    Service.ExecuteResponse got = (Service.ExecuteResponse) OURS.parseResponse(bytes);
    Service.ExecuteResponse want = (Service.ExecuteResponse) STOCK.parseResponse(bytes);
    assertThat(got.results).hasSize(1);
    Service.ResultSetResponse g = got.results.get(0);
    Service.ResultSetResponse w = want.results.get(0);
    assertThat(g.connectionId).isEqualTo("conn-1");
    assertThat(g.statementId).isEqualTo(42);
    assertThat(g.ownStatement).isTrue();
    assertThat(g.updateCount).isEqualTo(-1).isEqualTo(w.updateCount);
    assertThat(g.signature).isEqualTo(w.signature);
    assertThat(g.rpcMetadata).isEqualTo(w.rpcMetadata);
    assertSameRows(g.firstFrame, w.firstFrame);

    // an update count and no result set
    Service.ExecuteResponse update = new Service.ExecuteResponse(List.of(
        new Service.ResultSetResponse("conn-1", 43, false, null, null, 5, null)), false, null);
    Service.ExecuteResponse u = (Service.ExecuteResponse) OURS.parseResponse(
        AVATICA.serializeResponse(update));
    assertThat(u.results.get(0).updateCount).isEqualTo(5);
    assertThat(u.results.get(0).firstFrame).isNull();
    assertThat(u.results.get(0).signature).isNull();
  }

  @Test
  void arraysAreLeftToAvatica() throws Exception {
    List<Object> rows = new ArrayList<>();
    rows.add(new Object[] {List.of(1, 2, 3), "x"});
    byte[] bytes = AVATICA.serializeResponse(new Service.FetchResponse(
        new Meta.Frame(0, true, rows), false, false, null));
    Service.FetchResponse got = (Service.FetchResponse) OURS.parseResponse(bytes);
    Service.FetchResponse want = (Service.FetchResponse) STOCK.parseResponse(bytes);
    assertThat(got.frame.rows.iterator().next()).isEqualTo(want.frame.rows.iterator().next());
    assertThat(((List<?>) got.frame.rows.iterator().next()).get(0)).isEqualTo(List.of(1, 2, 3));
  }
}
