package io.strata.server.avatica;

/**
 * The two serializations Avatica's remote driver speaks ({@code serialization=json|protobuf}),
 * told apart by the request itself: both are POSTed as {@code application/octet-stream}. A JSON
 * request is an object, so its first byte after any whitespace is <code>{</code>; a protobuf
 * request is a {@code WireMessage} whose first field is the request's class name (tag byte
 * {@code 0x0A}, then a length byte of 40 to 80, never <code>{</code>). The JSON driver may also
 * send the request in a {@code request} header instead of the body.
 */
enum WireFormat {
  JSON("application/json;charset=utf-8"),
  PROTOBUF("application/octet-stream");

  private final String contentType;

  WireFormat(String contentType) {
    this.contentType = contentType;
  }

  String contentType() {
    return contentType;
  }

  /** The format of a request body; {@code requestHeader} is the {@code request} header or null. */
  static WireFormat of(byte[] body, String requestHeader) {
    if (requestHeader != null && !requestHeader.isEmpty()) {
      return JSON;
    }
    for (byte b : body) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{' ? JSON : PROTOBUF;
    }
    return PROTOBUF;
  }
}
