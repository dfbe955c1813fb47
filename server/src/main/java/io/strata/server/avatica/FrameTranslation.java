package io.strata.server.avatica;

import com.google.protobuf.CodedOutputStream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.proto.Common;
import org.apache.calcite.avatica.proto.Responses;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;

/**
 * Avatica's protobuf translation, except that a response carrying a frame of
 * {@link EncodedRows} is written with those bytes as they are: the response is serialized by
 * Avatica with an empty frame, and the rows follow as a second occurrence of the frame field,
 * which protobuf parsers merge into the first (a singular message field seen twice is merged).
 * Every Avatica client therefore reads the same message it would have received from
 * {@code Meta.Frame.toProto()}. Thread-safe.
 */
final class FrameTranslation extends ProtobufTranslationImpl {
  private static final int WIRE_NAME = 1;
  private static final int WIRE_MESSAGE = 2;
  private static final int FETCH_FRAME = Responses.FetchResponse.FRAME_FIELD_NUMBER;
  private static final int EXECUTE_RESULTS = Responses.ExecuteResponse.RESULTS_FIELD_NUMBER;
  private static final int RESULT_FIRST_FRAME = Responses.ResultSetResponse.FIRST_FRAME_FIELD_NUMBER;

  @Override
  public byte[] serializeResponse(Service.Response response) throws IOException {
    if (response instanceof Service.FetchResponse f && f.frame != null
        && f.frame.rows instanceof EncodedRows rows) {
      byte[] head = message(new Service.FetchResponse(empty(f.frame), f.missingStatement,
          f.missingResults, f.rpcMetadata));
      return wire(Responses.FetchResponse.class.getName(),
          concat(head, field(FETCH_FRAME, rows.bytes())));
    }
    if (response instanceof Service.ExecuteResponse e && e.results != null
        && e.results.stream().anyMatch(r -> r.firstFrame != null
            && r.firstFrame.rows instanceof EncodedRows)) {
      List<Service.ResultSetResponse> emptied = new ArrayList<>();
      for (Service.ResultSetResponse r : e.results) {
        emptied.add(r.firstFrame != null && r.firstFrame.rows instanceof EncodedRows
            ? new Service.ResultSetResponse(r.connectionId, r.statementId, r.ownStatement,
                r.signature, empty(r.firstFrame), r.updateCount, r.rpcMetadata)
            : r);
      }
      Responses.ExecuteResponse head = Responses.ExecuteResponse.parseFrom(message(
          new Service.ExecuteResponse(emptied, e.missingStatement, e.rpcMetadata)));
      List<byte[]> parts = new ArrayList<>();
      for (int i = 0; i < e.results.size(); i++) {
        byte[] result = head.getResults(i).toByteArray();
        if (e.results.get(i).firstFrame != null
            && e.results.get(i).firstFrame.rows instanceof EncodedRows rows) {
          result = concat(result, field(RESULT_FIRST_FRAME, rows.bytes()));
        }
        parts.add(field(EXECUTE_RESULTS, result));
      }
      parts.add(head.toBuilder().clearResults().build().toByteArray());
      return wire(Responses.ExecuteResponse.class.getName(), concat(parts.toArray(byte[][]::new)));
    }
    return super.serializeResponse(response);
  }

  /** The serialized message of a response (Avatica's own, unwrapped from its WireMessage). */
  private byte[] message(Service.Response response) throws IOException {
    return Common.WireMessage.parseFrom(super.serializeResponse(response)).getWrappedMessage()
        .toByteArray();
  }

  private static Meta.Frame empty(Meta.Frame frame) {
    return new Meta.Frame(frame.offset, frame.done, List.of());
  }

  /** A WireMessage: the response's class name and its serialized message. */
  private static byte[] wire(String name, byte[] message) throws IOException {
    int size = CodedOutputStream.computeStringSize(WIRE_NAME, name)
        + CodedOutputStream.computeTagSize(WIRE_MESSAGE)
        + CodedOutputStream.computeUInt32SizeNoTag(message.length) + message.length;
    byte[] out = new byte[size];
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeString(WIRE_NAME, name);
    c.writeTag(WIRE_MESSAGE, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
    c.writeUInt32NoTag(message.length);
    c.writeRawBytes(message);
    c.checkNoSpaceLeft();
    return out;
  }

  /** A length-delimited field {@code number} holding {@code bytes}. */
  private static byte[] field(int number, byte[] bytes) throws IOException {
    int size = CodedOutputStream.computeTagSize(number)
        + CodedOutputStream.computeUInt32SizeNoTag(bytes.length) + bytes.length;
    byte[] out = new byte[size];
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeTag(number, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
    c.writeUInt32NoTag(bytes.length);
    c.writeRawBytes(bytes);
    c.checkNoSpaceLeft();
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
