package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.sql.SqlColumn;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.Meta.CursorFactory;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Frames written straight from Arrow ({@link FrameWriter}, {@link FrameTranslation}) are what
 * the stock driver's parser makes of Avatica's own encoding of the boxed rows: the same value,
 * of the same Java class, for every type, in fetch and execute responses.
 */
class FrameWriterTest {
  static final ProtobufTranslation STOCK = new ProtobufTranslationImpl();
  static final FrameTranslation OURS = new FrameTranslation();
  static final Service.RpcMetadataResponse SERVER = new Service.RpcMetadataResponse("h:1");

  BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  /** Every case of JdbcValuesTest plus edge values: unicode, empty text, -0.0, big decimals. */
  private VectorSchemaRoot root(List<SqlColumn> columns) {
    JdbcValuesTest cases = new JdbcValuesTest();
    cases.allocator = allocator;
    List<FieldVector> vectors = new ArrayList<>();
    for (JdbcValuesTest.Case c : cases.cases()) {
      columns.add(c.column());
      vectors.add(c.vector());
    }
    VarCharVector text = new VarCharVector("text", allocator);
    text.allocateNew();
    text.setSafe(0, "".getBytes(StandardCharsets.UTF_8));
    text.setSafe(1, "日本語 😀 ñ".getBytes(StandardCharsets.UTF_8));
    text.setValueCount(2);
    columns.add(new SqlColumn("text", Types.VARCHAR, "VARCHAR", true, 0, 0, null));
    vectors.add(text);
    Float8Vector zero = new Float8Vector("zero", allocator);
    zero.allocateNew();
    zero.set(0, -0.0);
    zero.set(1, Double.NaN);
    zero.setValueCount(2);
    columns.add(new SqlColumn("zero", Types.DOUBLE, "DOUBLE", true, 0, 0, null));
    vectors.add(zero);
    DecimalVector big = new DecimalVector("big", allocator, 38, 10);
    big.allocateNew();
    big.set(0, new BigDecimal("-1234567890123456789012345678.0123456789"));
    big.set(1, new BigDecimal("0E-10"));
    big.setValueCount(2);
    columns.add(new SqlColumn("big", Types.DECIMAL, "DECIMAL", true, 38, 10, null));
    vectors.add(big);
    DecimalVector small = new DecimalVector("small", allocator, 18, 9);
    small.allocateNew();
    small.set(0, new BigDecimal("-999999999.999999999"));
    small.set(1, new BigDecimal("0.000000001"));
    small.setValueCount(2);
    columns.add(new SqlColumn("small", Types.DECIMAL, "DECIMAL", true, 18, 9, null));
    vectors.add(small);
    IntVector ints = new IntVector("ints", allocator);
    ints.allocateNew();
    ints.set(0, Integer.MIN_VALUE);
    ints.set(1, 0);
    ints.setValueCount(2);
    columns.add(new SqlColumn("ints", Types.INTEGER, "INTEGER", true, 0, 0, null));
    vectors.add(ints);
    BigIntVector longs = new BigIntVector("longs", allocator);
    longs.allocateNew();
    longs.set(0, Long.MIN_VALUE);
    longs.set(1, Long.MAX_VALUE);
    longs.setValueCount(2);
    columns.add(new SqlColumn("longs", Types.BIGINT, "BIGINT", true, 0, 0, null));
    vectors.add(longs);
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(2);
    return root;
  }

  /** The rows as Avatica's own path had them: boxed by the readers, each row an Object[]. */
  private static List<Object> boxed(VectorSchemaRoot root, List<JdbcValues.Column> columns) {
    List<Object> rows = new ArrayList<>();
    for (int r = 0; r < root.getRowCount(); r++) {
      Object[] row = new Object[columns.size()];
      for (int c = 0; c < row.length; c++) {
        FieldVector v = root.getVector(c);
        row[c] = v.isNull(r) ? null : columns.get(c).reader().read(v, r);
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<List<Object>> rows(Frame frame) {
    List<List<Object>> out = new ArrayList<>();
    frame.rows.forEach(r -> out.add(new ArrayList<>((List<?>) r)));
    return out;
  }

  @Test
  void fetchResponsesDecodeAsAvaticasOwnEncodingDoes() throws Exception {
    List<SqlColumn> columns = new ArrayList<>();
    VectorSchemaRoot root = root(columns);
    try (ResultStream stream = new ResultStream(new FakeCursor(columns, List.of(root)), -1)) {
      List<JdbcValues.Column> cols = JdbcValues.columns(columns, root.getSchema());
      List<Object> boxed = boxed(root, cols);
      Frame frame = stream.next(100);
      assertThat(frame.rows).isInstanceOf(EncodedRows.class);

      Service.FetchResponse stock = (Service.FetchResponse) STOCK.parseResponse(
          STOCK.serializeResponse(new Service.FetchResponse(new Frame(0, true, boxed), false,
              false, SERVER)));
      Service.FetchResponse ours = (Service.FetchResponse) STOCK.parseResponse(
          OURS.serializeResponse(new Service.FetchResponse(frame, false, false, SERVER)));
      assertThat(ours.frame.done).isTrue();
      assertThat(ours.frame.offset).isZero();
      assertThat(ours.rpcMetadata.serverAddress).isEqualTo("h:1");
      List<List<Object>> want = rows(stock.frame);
      List<List<Object>> got = rows(ours.frame);
      assertThat(got).hasSize(2);
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < columns.size(); c++) {
          Object w = want.get(r).get(c);
          Object g = got.get(r).get(c);
          assertThat(g).as(columns.get(c).name() + " row " + r).isEqualTo(w);
          if (w != null) {
            assertThat(g.getClass()).as(columns.get(c).name()).isEqualTo(w.getClass());
          }
        }
      }
      // the unicode text arrives as text, the zero as a negative zero
      int text = columns.stream().map(SqlColumn::name).toList().indexOf("text");
      assertThat(got.get(1).get(text)).isEqualTo("日本語 😀 ñ");
      assertThat(got.get(0).get(text)).isEqualTo("");
      int zero = columns.stream().map(SqlColumn::name).toList().indexOf("zero");
      assertThat(Double.doubleToRawLongBits((Double) got.get(0).get(zero)))
          .isEqualTo(Double.doubleToRawLongBits(-0.0));
      // the decoded list (JSON, tests) is the boxed rows
      assertThat(frame.rows).hasSize(2);
      for (int r = 0; r < 2; r++) {
        assertThat((Object[]) ((List<?>) frame.rows).get(r))
            .containsExactly((Object[]) ((Object[]) boxed.get(r)).clone());
      }
    }
  }

  @Test
  void executeResponsesCarryTheFirstFrameAndTheSignature() throws Exception {
    List<SqlColumn> columns = new ArrayList<>();
    VectorSchemaRoot root = root(columns);
    try (ResultStream stream = new ResultStream(new FakeCursor(columns, List.of(root)), -1)) {
      Frame frame = stream.next(1);
      assertThat(frame.done).isFalse();
      List<ColumnMetaData> meta = stream.metaData();
      Meta.Signature signature = new Meta.Signature(meta, "SELECT 1", List.of(), null,
          CursorFactory.LIST, Meta.StatementType.SELECT);
      Service.ExecuteResponse response = new Service.ExecuteResponse(List.of(
          new Service.ResultSetResponse("conn", 7, false, signature, frame, -1, SERVER)),
          false, SERVER);
      Service.ExecuteResponse back = (Service.ExecuteResponse) STOCK.parseResponse(
          OURS.serializeResponse(response));
      Service.ExecuteResponse stock = (Service.ExecuteResponse) STOCK.parseResponse(
          STOCK.serializeResponse(response));
      assertThat(back.results).hasSize(1);
      Service.ResultSetResponse rs = back.results.get(0);
      assertThat(rs.connectionId).isEqualTo("conn");
      assertThat(rs.statementId).isEqualTo(7);
      assertThat(rs.signature).isEqualTo(stock.results.get(0).signature);
      assertThat(rs.firstFrame.done).isFalse();
      assertThat(java.util.Arrays.deepEquals(rows(rs.firstFrame).get(0).toArray(),
          rows(stock.results.get(0).firstFrame).get(0).toArray())).isTrue();
      assertThat(rows(rs.firstFrame)).hasSize(1);

      Frame second = stream.next(10);
      assertThat(second.offset).isEqualTo(1);
      Service.FetchResponse fetched = (Service.FetchResponse) STOCK.parseResponse(
          OURS.serializeResponse(new Service.FetchResponse(second, false, false, SERVER)));
      assertThat(fetched.frame.offset).isEqualTo(1);
      assertThat(fetched.frame.done).isTrue();
      assertThat(rows(fetched.frame)).hasSize(1);
    }
  }
}
