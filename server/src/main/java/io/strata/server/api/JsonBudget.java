package io.strata.server.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * The buffer a JSON answer is written into, refusing (with {@link AnswerTooLargeException}) the
 * byte that would take it past the limit. JSON answers are built whole so that an error still
 * gets a clean status; counting while writing stops a large answer long before it can exhaust
 * the heap, whatever the row limit allows.
 */
final class JsonBudget extends OutputStream {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
  private final long limit;

  JsonBudget(long limit) {
    this.limit = limit;
  }

  @Override
  public void write(int b) {
    reserve(1);
    out.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    reserve(len);
    out.write(b, off, len);
  }

  private void reserve(int n) {
    if ((long) out.size() + n > limit) {
      throw new AnswerTooLargeException(limit);
    }
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
