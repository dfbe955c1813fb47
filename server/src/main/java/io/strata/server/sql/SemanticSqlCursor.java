package io.strata.server.sql;

import io.strata.server.query.QueryCursor;
import io.strata.server.query.QueryService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A semantic query's cursor as a SQL result: the columns the SELECT list names, in its order
 * and with its labels, sharing the query's Arrow vectors (nothing is copied).
 */
final class SemanticSqlCursor implements SqlCursor {
  private final QueryService queries;
  private final QueryCursor cursor;
  private final int[] columnsOf;
  private final Schema schema;
  private final List<SqlColumn> columns;
  private VectorSchemaRoot view;

  SemanticSqlCursor(QueryService queries, QueryCursor cursor,
      List<SemanticSelect.Output> outputs) {
    this.queries = queries;
    this.cursor = cursor;
    Map<String, Integer> byName = new HashMap<>();
    List<Field> source = cursor.schema().getFields();
    for (int i = 0; i < source.size(); i++) {
      byName.putIfAbsent(source.get(i).getName(), i);
    }
    columnsOf = new int[outputs.size()];
    List<Field> fields = new ArrayList<>();
    Map<String, String> remarks = new HashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      SemanticSelect.Output o = outputs.get(i);
      Integer at = byName.get(o.name());
      if (at == null) {
        cursor.close();
        throw new IllegalStateException("the compiled query has no column " + o.name()
            + "; it has " + byName.keySet());
      }
      columnsOf[i] = at;
      Field f = source.get(at);
      fields.add(new Field(o.label(), new FieldType(true, f.getType(), f.getDictionary(),
          f.getMetadata()), f.getChildren()));
      if (o.column() != null) {
        remarks.putIfAbsent(o.label(), o.column().description());
      }
    }
    schema = new Schema(fields);
    columns = ArrowSqlTypes.columns(schema, remarks);
  }

  @Override
  public String queryId() {
    return cursor.queryId();
  }

  @Override
  public java.util.Optional<io.strata.server.query.CacheInfo> cacheInfo() {
    return java.util.Optional.of(cursor.cacheInfo());
  }

  /** The query's entry when this SELECT's columns are the query's own, in its order. */
  @Override
  public java.util.Optional<io.strata.acceleration.cache.CacheEntry> takeCachedEntry() {
    if (columnsOf.length != cursor.schema().getFields().size()) {
      return java.util.Optional.empty();
    }
    for (int i = 0; i < columnsOf.length; i++) {
      if (columnsOf[i] != i) {
        return java.util.Optional.empty();
      }
    }
    return cursor.takeEntry();
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public List<SqlColumn> columns() {
    return columns;
  }

  @Override
  public boolean next() {
    view = null;
    if (!cursor.next()) {
      return false;
    }
    VectorSchemaRoot batch = cursor.batch();
    List<FieldVector> vectors = new ArrayList<>(columnsOf.length);
    for (int i : columnsOf) {
      vectors.add(batch.getVector(i));
    }
    view = new VectorSchemaRoot(schema.getFields(), vectors, batch.getRowCount());
    return true;
  }

  @Override
  public VectorSchemaRoot batch() {
    if (view == null) {
      throw new IllegalStateException("query " + cursor.queryId() + " has no current batch");
    }
    return view;
  }

  @Override
  public long rows() {
    return cursor.rows();
  }

  @Override
  public void cancel() {
    queries.cancel(cursor.queryId());
  }

  @Override
  public void close() {
    view = null;
    cursor.close();
  }
}
