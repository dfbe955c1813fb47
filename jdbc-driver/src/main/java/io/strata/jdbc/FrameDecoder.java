package io.strata.jdbc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.proto.Common;
import org.apache.calcite.avatica.proto.Responses;
import org.apache.calcite.avatica.remote.Service;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the two responses that carry rows ({@code FetchResponse}, {@code ExecuteResponse})
 * straight from their protobuf bytes into the row lists Avatica's cursors read: each value is
 * decoded once into the Java object Avatica's own parse would have produced
 * ({@code Meta.Frame.fromProto}, {@code TypedValue.fromProto}), without first building the
 * {@code Common.Frame} message tree and a {@code TypedValue} per value. Everything else in the
 * responses (signature, metadata) is parsed by Avatica. Values it does not expect (arrays,
 * pre-1.5 columns of several values) make it give up with {@link Unsupported}, and the caller
 * falls back to Avatica's parse. Stateless.
 */
public final class FrameDecoder {
  /** The response uses something this decoder leaves to Avatica. */
  static final class Unsupported extends Exception {
    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  private FrameDecoder() {}

  /**
   * The rows of a serialized protobuf {@code FetchResponse} ({@code WireMessage} bytes) as the
   * driver reads them, each a {@code List}: for the benchmarks. Only JDK types in the signature,
   * so that it links inside the shaded jar too.
   */
  public static List<Object> fetchRows(byte[] response) throws IOException {
    Common.WireMessage wire = Common.WireMessage.parseFrom(response);
    try {
      return (List<Object>) fetch(wire.getWrappedMessage().newCodedInput()).frame.rows;
    } catch (Unsupported e) {
      throw new IOException(e.getMessage());
    }
  }

  static Service.FetchResponse fetch(CodedInputStream in) throws IOException, Unsupported {
    FrameParts frame = null;
    boolean missingStatement = false;
    boolean missingResults = false;
    Service.RpcMetadataResponse metadata = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case Responses.FetchResponse.FRAME_FIELD_NUMBER -> {
          frame = frame == null ? new FrameParts() : frame;
          int limit = in.pushLimit(in.readRawVarint32());
          frame.merge(in);
          in.popLimit(limit);
        }
        case Responses.FetchResponse.MISSING_STATEMENT_FIELD_NUMBER -> missingStatement = in.readBool();
        case Responses.FetchResponse.MISSING_RESULTS_FIELD_NUMBER -> missingResults = in.readBool();
        case Responses.FetchResponse.METADATA_FIELD_NUMBER -> metadata = metadata(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    return new Service.FetchResponse(frame == null ? null : frame.frame(), missingStatement,
        missingResults, metadata);
  }

  static Service.ExecuteResponse execute(CodedInputStream in) throws IOException, Unsupported {
    List<Service.ResultSetResponse> results = new ArrayList<>(1);
    boolean missingStatement = false;
    Service.RpcMetadataResponse metadata = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case Responses.ExecuteResponse.RESULTS_FIELD_NUMBER -> {
          int limit = in.pushLimit(in.readRawVarint32());
          results.add(result(in));
          in.popLimit(limit);
        }
        case Responses.ExecuteResponse.MISSING_STATEMENT_FIELD_NUMBER -> missingStatement = in.readBool();
        case Responses.ExecuteResponse.METADATA_FIELD_NUMBER -> metadata = metadata(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    return new Service.ExecuteResponse(results, missingStatement, metadata);
  }

  private static Service.ResultSetResponse result(CodedInputStream in)
      throws IOException, Unsupported {
    String connectionId = null;
    int statementId = 0;
    boolean ownStatement = false;
    Meta.Signature signature = null;
    FrameParts frame = null;
    long updateCount = 0;
    Service.RpcMetadataResponse metadata = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case Responses.ResultSetResponse.CONNECTION_ID_FIELD_NUMBER -> connectionId = in.readString();
        case Responses.ResultSetResponse.STATEMENT_ID_FIELD_NUMBER -> statementId = in.readUInt32();
        case Responses.ResultSetResponse.OWN_STATEMENT_FIELD_NUMBER -> ownStatement = in.readBool();
        case Responses.ResultSetResponse.SIGNATURE_FIELD_NUMBER ->
            signature = Meta.Signature.fromProto(Common.Signature.parseFrom(in.readByteArray()));
        case Responses.ResultSetResponse.FIRST_FRAME_FIELD_NUMBER -> {
          frame = frame == null ? new FrameParts() : frame;
          int limit = in.pushLimit(in.readRawVarint32());
          frame.merge(in);
          in.popLimit(limit);
        }
        case Responses.ResultSetResponse.UPDATE_COUNT_FIELD_NUMBER -> updateCount = in.readUInt64();
        case Responses.ResultSetResponse.METADATA_FIELD_NUMBER -> metadata = metadata(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    return new Service.ResultSetResponse(connectionId, statementId, ownStatement, signature,
        frame == null ? null : frame.frame(), updateCount, metadata);
  }

  private static Service.RpcMetadataResponse metadata(byte[] bytes) throws IOException {
    return new Service.RpcMetadataResponse(
        Responses.RpcMetadata.parseFrom(bytes).getServerAddress());
  }

  /** A frame, possibly sent in several pieces (protobuf merges a message field seen twice). */
  private static final class FrameParts {
    long offset;
    boolean done;
    final List<Object> rows = new ArrayList<>();

    /** Reads one Frame message (the stream limited to it). */
    void merge(CodedInputStream in) throws IOException, Unsupported {
      for (int tag; (tag = in.readTag()) != 0; ) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> offset = in.readUInt64();
          case 2 -> done = in.readBool();
          case 3 -> {
            int limit = in.pushLimit(in.readRawVarint32());
            rows.add(row(in));
            in.popLimit(limit);
          }
          default -> in.skipField(tag);
        }
      }
    }

    Meta.Frame frame() {
      return new Meta.Frame(offset, done, rows);
    }
  }

  /** One Row message (the stream limited to it): its ColumnValues. */
  private static List<Object> row(CodedInputStream in) throws IOException, Unsupported {
    Object[] values = new Object[8];
    int n = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) != 1) {
        in.skipField(tag);
        continue;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      Object v = column(in);
      in.popLimit(limit);
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = v;
    }
    return Arrays.asList(n == values.length ? values : Arrays.copyOf(values, n));
  }

  /** A ColumnValue: its scalar_value, or the one deprecated value when that is all it has. */
  private static Object column(CodedInputStream in) throws IOException, Unsupported {
    Object scalar = null;
    boolean hasScalar = false;
    Object old = null;
    int olds = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 4 -> {
          int limit = in.pushLimit(in.readRawVarint32());
          scalar = value(in);
          in.popLimit(limit);
          hasScalar = true;
        }
        case 1 -> {
          if (hasScalar) {
            in.skipField(tag); // Avatica's copy for old clients
          } else {
            int limit = in.pushLimit(in.readRawVarint32());
            old = value(in);
            in.popLimit(limit);
            olds++;
          }
        }
        case 2 -> throw new Unsupported("array value");
        case 3 -> {
          if (in.readBool()) {
            throw new Unsupported("array value");
          }
        }
        default -> in.skipField(tag);
      }
    }
    if (hasScalar) {
      return scalar;
    }
    if (olds == 1) {
      return old;
    }
    throw new Unsupported("a column of " + olds + " values");
  }

  /** A TypedValue as {@code Meta.Frame.deserializeScalarValue} returns it. */
  private static Object value(CodedInputStream in) throws IOException, Unsupported {
    int rep = 0;
    boolean bool = false;
    byte[] string = null;
    long number = 0;
    boolean hasNumber = false;
    byte[] bytes = null;
    double dbl = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> rep = in.readEnum();
        case 2 -> bool = in.readBool();
        case 3 -> string = in.readByteArray();
        case 4 -> {
          number = in.readSInt64();
          hasNumber = true;
        }
        case 5 -> bytes = in.readByteArray();
        case 6 -> dbl = in.readDouble();
        case 8 -> throw new Unsupported("array value");
        default -> in.skipField(tag);
      }
    }
    return switch (rep) {
      case Common.Rep.BOOLEAN_VALUE, Common.Rep.PRIMITIVE_BOOLEAN_VALUE -> bool;
      case Common.Rep.BYTE_STRING_VALUE -> bytes == null ? new byte[0] : bytes;
      case Common.Rep.STRING_VALUE -> string == null ? "" : new String(string, StandardCharsets.UTF_8);
      case Common.Rep.CHARACTER_VALUE, Common.Rep.PRIMITIVE_CHAR_VALUE ->
          new String(string == null ? new byte[0] : string, StandardCharsets.UTF_8).charAt(0);
      case Common.Rep.BYTE_VALUE, Common.Rep.PRIMITIVE_BYTE_VALUE -> (byte) number;
      case Common.Rep.DOUBLE_VALUE, Common.Rep.PRIMITIVE_DOUBLE_VALUE -> dbl;
      case Common.Rep.FLOAT_VALUE, Common.Rep.PRIMITIVE_FLOAT_VALUE -> Float.intBitsToFloat((int) number);
      case Common.Rep.INTEGER_VALUE, Common.Rep.PRIMITIVE_INT_VALUE -> (int) number;
      case Common.Rep.SHORT_VALUE, Common.Rep.PRIMITIVE_SHORT_VALUE -> (short) number;
      case Common.Rep.LONG_VALUE, Common.Rep.PRIMITIVE_LONG_VALUE, Common.Rep.NUMBER_VALUE -> number;
      case Common.Rep.JAVA_SQL_DATE_VALUE, Common.Rep.JAVA_SQL_TIME_VALUE -> (int) number;
      case Common.Rep.JAVA_SQL_TIMESTAMP_VALUE, Common.Rep.JAVA_UTIL_DATE_VALUE -> number;
      case Common.Rep.BIG_INTEGER_VALUE -> new BigInteger(bytes == null ? new byte[0] : bytes);
      case Common.Rep.BIG_DECIMAL_VALUE -> hasNumber
          ? new BigDecimal(new BigInteger(bytes == null ? new byte[0] : bytes), (int) number)
          : new BigDecimal(new String(string == null ? new byte[0] : string,
              StandardCharsets.US_ASCII));
      case Common.Rep.NULL_VALUE -> null;
      default -> throw new Unsupported("values of rep " + rep);
    };
  }
}
