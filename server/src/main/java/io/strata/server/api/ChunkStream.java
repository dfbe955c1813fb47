package io.strata.server.api;

import java.io.IOException;
import java.io.InputStream;

/**
 * A response body made one chunk at a time as the HTTP layer reads it: only the chunk being
 * read is in memory. Subclasses say what the next chunk is ({@link BatchStream}: the next
 * record batch of a result; the jobs' server-sent events: the next event).
 */
public abstract class ChunkStream extends InputStream {
  private byte[] buffer = new byte[0];
  private int position;

  /** The next chunk (it may be empty), or null when the stream has ended. */
  protected abstract byte[] nextChunk() throws IOException;

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (position >= buffer.length) {
      byte[] next = nextChunk();
      if (next == null) {
        return -1;
      }
      buffer = next;
      position = 0;
    }
    int n = Math.min(len, buffer.length - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    return n;
  }
}
