package io.strata.server.avatica;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.proto.Common;

/**
 * The rows of a frame already in Avatica's protobuf wire format ({@link FrameWriter}): the
 * protobuf translation ({@link FrameTranslation}) sends the bytes as they are. Anything else
 * that reads the rows as a list (the JSON wire format, tests) gets them decoded once, the way
 * the stock driver decodes them, each row an {@code Object[]}. Immutable.
 */
final class EncodedRows extends AbstractList<Object> {
  private final byte[] bytes;
  private final int size;
  private List<Object> decoded;

  EncodedRows(byte[] bytes, int size) {
    this.bytes = bytes;
    this.size = size;
  }

  /** The {@code rows} fields (3) of a {@code Common.Frame} message, one per row. */
  byte[] bytes() {
    return bytes;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Object get(int index) {
    return decoded().get(index);
  }

  private synchronized List<Object> decoded() {
    if (decoded == null) {
      Common.Frame proto;
      try {
        proto = Common.Frame.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a frame encoded here does not parse", e);
      }
      List<Object> rows = new ArrayList<>(size);
      for (Object row : Meta.Frame.fromProto(proto).rows) {
        rows.add(((List<?>) row).toArray());
      }
      decoded = rows;
    }
    return decoded;
  }
}
