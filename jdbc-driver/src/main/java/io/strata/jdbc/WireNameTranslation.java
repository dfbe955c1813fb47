package io.strata.jdbc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import org.apache.calcite.avatica.proto.Common.WireMessage;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service.Request;
import org.apache.calcite.avatica.remote.Service.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Keeps Avatica's protobuf wire format intact when Avatica itself is relocated.
 *
 * <p>Avatica wraps every protobuf message in a {@code WireMessage} whose {@code name} is the Java
 * class name of the message, {@code org.apache.calcite.avatica.proto.Requests$...}; the server
 * looks the parser up by that name. Inside the shaded jar the classes are called
 * {@code io.strata.jdbc.shaded.org.apache.calcite.avatica.proto...}, so this translation
 * rewrites the name prefix on the way out (requests) and back in (responses). When the classes
 * are not relocated (unit tests, the plain jar) it is a pass-through.
 */
final class WireNameTranslation implements ProtobufTranslation {

  /** The package prefix on the wire. Built at run time so that shading does not rewrite it. */
  static final String WIRE_PREFIX =
      String.join(".", "org", "apache", "calcite", "avatica") + ".";
  /** The package prefix of the Avatica classes as loaded (relocated or not). */
  static final String LOCAL_PREFIX = localPrefix();

  static final String FETCH_RESPONSE = WIRE_PREFIX + "proto.Responses$FetchResponse";
  static final String EXECUTE_RESPONSE = WIRE_PREFIX + "proto.Responses$ExecuteResponse";

  private final ProtobufTranslation delegate;
  private final boolean relocated;
  private final boolean decodeFrames;

  WireNameTranslation() {
    this(new ProtobufTranslationImpl(), true);
  }

  /** @param decodeFrames whether rows are read by {@link FrameDecoder} rather than Avatica */
  WireNameTranslation(ProtobufTranslation delegate, boolean decodeFrames) {
    this.delegate = delegate;
    this.relocated = !LOCAL_PREFIX.equals(WIRE_PREFIX);
    this.decodeFrames = decodeFrames;
  }

  private static String localPrefix() {
    // e.g. "org.apache.calcite.avatica.proto.Common$WireMessage" -> "org.apache.calcite.avatica."
    String name = WireMessage.class.getName();
    int at = name.lastIndexOf(".proto.");
    return name.substring(0, at + 1);
  }

  /** Rewrites {@code name} from the prefix {@code from} to {@code to}; others unchanged. */
  static String rename(String name, String from, String to) {
    return name.startsWith(from) ? to + name.substring(from.length()) : name;
  }

  private static byte[] rewrite(byte[] bytes, String from, String to) throws IOException {
    CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    in.enableAliasing(true); // the wrapped message is not copied out
    WireMessage wire = WireMessage.parseFrom(in);
    String name = wire.getName();
    String renamed = rename(name, from, to);
    if (renamed.equals(name)) {
      return bytes;
    }
    ByteString wrapped = wire.getWrappedMessage();
    return WireMessage.newBuilder()
        .setNameBytes(UnsafeByteOperations.unsafeWrap(renamed.getBytes(StandardCharsets.UTF_8)))
        .setWrappedMessage(wrapped)
        .build()
        .toByteArray();
  }

  @Override public byte[] serializeRequest(Request request) throws IOException {
    byte[] bytes = delegate.serializeRequest(request);
    return relocated ? rewrite(bytes, LOCAL_PREFIX, WIRE_PREFIX) : bytes;
  }

  /**
   * Responses carrying rows are read by {@link FrameDecoder} (straight to the row lists the
   * cursors read); the others, and rows it leaves to Avatica, by Avatica's translation.
   */
  @Override public Response parseResponse(byte[] bytes) throws IOException {
    if (decodeFrames) {
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
      in.enableAliasing(true);
      WireMessage wire = WireMessage.parseFrom(in);
      String name = wire.getName();
      try {
        if (name.equals(FETCH_RESPONSE)) {
          return FrameDecoder.fetch(wire.getWrappedMessage().newCodedInput());
        }
        if (name.equals(EXECUTE_RESPONSE)) {
          return FrameDecoder.execute(wire.getWrappedMessage().newCodedInput());
        }
      } catch (FrameDecoder.Unsupported e) {
        // Avatica's own parse below reads it
      }
    }
    return delegate.parseResponse(relocated ? rewrite(bytes, WIRE_PREFIX, LOCAL_PREFIX) : bytes);
  }

  @Override public byte[] serializeResponse(Response response) throws IOException {
    byte[] bytes = delegate.serializeResponse(response);
    return relocated ? rewrite(bytes, LOCAL_PREFIX, WIRE_PREFIX) : bytes;
  }

  @Override public Request parseRequest(byte[] bytes) throws IOException {
    return delegate.parseRequest(relocated ? rewrite(bytes, WIRE_PREFIX, LOCAL_PREFIX) : bytes);
  }
}
