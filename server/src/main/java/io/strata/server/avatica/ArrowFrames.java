package io.strata.server.avatica;

import io.strata.server.sql.SqlColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.Service;

/**
 * The JDBC endpoint's frame encoding on its own, for the benchmarks
 * ({@code AvaticaFrameBenchmark}): the serialized protobuf {@code FetchResponse} of the rows of
 * an Arrow batch, exactly as a fetch over the wire sends them. Stateless.
 */
public final class ArrowFrames {
  private static final FrameTranslation TRANSLATION = new FrameTranslation();

  private ArrowFrames() {}

  /** The {@code WireMessage} bytes of a fetch response with every row of {@code batch}. */
  public static byte[] fetchResponse(List<SqlColumn> columns, VectorSchemaRoot batch) {
    List<JdbcValues.Column> cols = JdbcValues.columns(columns, batch.getSchema());
    List<FieldVector> vectors = batch.getFieldVectors();
    int rows = batch.getRowCount();
    FrameWriter out = new FrameWriter(rows * Math.max(1, cols.size()) * 12);
    for (int r = 0; r < rows; r++) {
      out.writeRow(vectors, cols, r);
    }
    Meta.Frame frame = new Meta.Frame(0, true, new EncodedRows(out.toBytes(), out.rows()));
    try {
      return TRANSLATION.serializeResponse(new Service.FetchResponse(frame, false, false,
          new Service.RpcMetadataResponse("localhost:8765")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of {@code batch} boxed as Avatica's own path boxes them (the baseline). */
  public static List<Object> boxedRows(List<SqlColumn> columns, VectorSchemaRoot batch) {
    List<JdbcValues.Column> cols = JdbcValues.columns(columns, batch.getSchema());
    List<FieldVector> vectors = batch.getFieldVectors();
    List<Object> rows = new java.util.ArrayList<>(batch.getRowCount());
    for (int r = 0; r < batch.getRowCount(); r++) {
      Object[] row = new Object[cols.size()];
      for (int c = 0; c < row.length; c++) {
        FieldVector v = vectors.get(c);
        row[c] = v.isNull(r) ? null : cols.get(c).reader().read(v, r);
      }
      rows.add(row);
    }
    return rows;
  }
}
