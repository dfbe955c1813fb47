package io.strata.server.pgwire;

import io.netty.buffer.ByteBuf;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * The protocol's messages: a reader of a frontend message's fields, and writers of the backend
 * messages (each a type byte, a length that counts itself, and the fields).
 */
final class PgMessages {
  private PgMessages() {}

  /** The fields of one frontend message; a message shorter than its fields is a 08P01. */
  static final class Reader {
    private final ByteBuffer b;

    Reader(byte[] body) {
      this.b = ByteBuffer.wrap(body);
    }

    int remaining() {
      return b.remaining();
    }

    int int8() {
      return check(() -> (int) b.get());
    }

    int int16() {
      return check(() -> (int) b.getShort());
    }

    int int32() {
      return check(b::getInt);
    }

    /** A NUL-terminated string. */
    String string() {
      int start = b.position();
      for (int i = start; i < b.limit(); i++) {
        if (b.get(i) == 0) {
          String s = new String(b.array(), start, i - start, StandardCharsets.UTF_8);
          b.position(i + 1);
          return s;
        }
      }
      throw PgException.fatal("08P01", "invalid message format: a string is not terminated");
    }

    String text(int length) {
      return new String(bytes(length), StandardCharsets.UTF_8);
    }

    /** A value with its int32 length before it; null for length -1. */
    byte[] bytes() {
      int length = int32();
      return length < 0 ? null : bytes(length);
    }

    private byte[] bytes(int length) {
      if (length > b.remaining()) {
        throw PgException.fatal("08P01", "invalid message format: a value of " + length
            + " bytes is longer than the rest of its message");
      }
      byte[] v = new byte[length];
      b.get(v);
      return v;
    }

    private <T> T check(java.util.function.Supplier<T> read) {
      try {
        return read.get();
      } catch (BufferUnderflowException e) {
        throw PgException.fatal("08P01", "invalid message format: the message ends early");
      }
    }
  }

  private static int begin(ByteBuf out, char type) {
    out.writeByte(type);
    int at = out.writerIndex();
    out.writeInt(0);
    return at;
  }

  private static void end(ByteBuf out, int at) {
    out.setInt(at, out.writerIndex() - at);
  }

  private static void cstring(ByteBuf out, String s) {
    out.writeCharSequence(s, StandardCharsets.UTF_8);
    out.writeByte(0);
  }

  /** A message with no fields: ParseComplete '1', BindComplete '2', NoData 'n'... */
  static void simple(ByteBuf out, char type) {
    out.writeByte(type);
    out.writeInt(4);
  }

  static void auth(ByteBuf out, int code, byte[] data) {
    int at = begin(out, 'R');
    out.writeInt(code);
    if (data != null) {
      out.writeBytes(data);
    }
    end(out, at);
  }

  static void authSasl(ByteBuf out, String mechanism) {
    int at = begin(out, 'R');
    out.writeInt(10);
    cstring(out, mechanism);
    out.writeByte(0);
    end(out, at);
  }

  static void negotiateVersion(ByteBuf out, int minor, List<String> unknown) {
    int at = begin(out, 'v');
    out.writeInt((3 << 16) | minor);
    out.writeInt(unknown.size());
    unknown.forEach(u -> cstring(out, u));
    end(out, at);
  }

  static void parameterStatus(ByteBuf out, String name, String value) {
    int at = begin(out, 'S');
    cstring(out, name);
    cstring(out, value == null ? "" : value);
    end(out, at);
  }

  static void backendKey(ByteBuf out, int pid, int secret) {
    int at = begin(out, 'K');
    out.writeInt(pid);
    out.writeInt(secret);
    end(out, at);
  }

  static void readyForQuery(ByteBuf out, char status) {
    int at = begin(out, 'Z');
    out.writeByte(status);
    end(out, at);
  }

  static void emptyQuery(ByteBuf out) {
    simple(out, 'I');
  }

  static void commandComplete(ByteBuf out, String tag) {
    int at = begin(out, 'C');
    cstring(out, tag);
    end(out, at);
  }

  static void parameterDescription(ByteBuf out, int[] types) {
    int at = begin(out, 't');
    out.writeShort(types.length);
    for (int t : types) {
      out.writeInt(t);
    }
    end(out, at);
  }

  /**
   * RowDescription; each column's format is the portal's, or text when describing a statement
   * ({@code portal} null).
   */
  static void rowDescription(ByteBuf out, List<PgValues.Column> columns, Object portal) {
    int at = begin(out, 'T');
    out.writeShort(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      PgValues.Column c = columns.get(i);
      cstring(out, c.name());
      out.writeInt(0); // table oid
      out.writeShort(0); // column number
      out.writeInt(c.oid());
      out.writeShort(c.size());
      out.writeInt(c.modifier());
      out.writeShort(portal instanceof Formats f && f.binary(i) ? 1 : 0);
    }
    end(out, at);
  }

  /** What a portal says of its result formats. */
  interface Formats {
    boolean binary(int column);
  }

  static void dataRow(ByteBuf out, FieldVector[] vectors, int row, List<PgValues.Column> columns,
      Formats formats, ZoneId zone) {
    int at = begin(out, 'D');
    out.writeShort(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      FieldVector v = vectors[i];
      if (v.isNull(row)) {
        out.writeInt(-1);
        continue;
      }
      int lengthAt = out.writerIndex();
      out.writeInt(0);
      PgValues.Column c = columns.get(i);
      (formats.binary(i) ? c.binary() : c.text()).write(v, row, out, zone);
      out.setInt(lengthAt, out.writerIndex() - lengthAt - 4);
    }
    end(out, at);
  }

  /** A row of a command's answer: text values (an int4 column in binary as an integer). */
  static void fixedRow(ByteBuf out, List<String> row, List<Integer> types, short[] formats) {
    int at = begin(out, 'D');
    out.writeShort(row.size());
    for (int i = 0; i < row.size(); i++) {
      String v = row.get(i);
      if (v == null) {
        out.writeInt(-1);
        continue;
      }
      boolean binary = formats.length > 0
          && (formats.length == 1 ? formats[0] : formats[i]) == 1;
      if (binary && types.get(i) == PgValues.INT4) {
        out.writeInt(4);
        out.writeInt(Integer.parseInt(v));
      } else {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.writeBytes(b);
      }
    }
    end(out, at);
  }

  /** ErrorResponse with severity, SQLSTATE, message and, when known, position, detail, hint. */
  static void error(ByteBuf out, PgException e) {
    int at = begin(out, 'E');
    field(out, 'S', e.severity().name());
    field(out, 'V', e.severity().name());
    field(out, 'C', e.sqlState());
    field(out, 'M', e.getMessage() == null ? "error" : e.getMessage());
    if (e.detail() != null) {
      field(out, 'D', e.detail());
    }
    if (e.hint() != null) {
      field(out, 'H', e.hint());
    }
    if (e.position() > 0) {
      field(out, 'P', Integer.toString(e.position()));
    }
    out.writeByte(0);
    end(out, at);
  }

  private static void field(ByteBuf out, char code, String value) {
    out.writeByte(code);
    cstring(out, value);
  }
}
