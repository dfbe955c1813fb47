package io.strata.acceleration.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One cached result: its Arrow IPC stream and what is known about it. Immutable; the IPC bytes
 * are never modified once stored.
 *
 * @param keyHash the {@link CacheKey#hash()} it is stored under
 * @param dataSource and {@code models}: what it was read from, for invalidation
 * @param sqlHash hex SHA-256 of the warehouse SQL
 * @param sourceVersion the refresh-key values it was computed under (null when the models have
 *     none)
 * @param createdAt when the warehouse answered
 * @param expiresAt until when it is fresh
 * @param rows rows in the result
 * @param computeMicros how long the warehouse took to produce it (the time a hit saves)
 * @param ipc the Arrow IPC stream
 */
public record CacheEntry(String keyHash, String dataSource, List<String> models, String sqlHash,
    String sourceVersion, Instant createdAt, Instant expiresAt, long rows, long computeMicros,
    byte[] ipc) {
  private static final int MAGIC = 0x53545243; // "STRC"
  private static final int VERSION = 1;

  public CacheEntry {
    models = List.copyOf(models);
  }

  /** Bytes this entry occupies, roughly: its IPC stream plus a small header. */
  public int weight() {
    return ipc.length + 256;
  }

  public boolean freshAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  public Duration age(Instant now) {
    Duration d = Duration.between(createdAt, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** The entry as stored in Redis: a small binary header, then the IPC stream. */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ipc.length + 256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(keyHash);
      out.writeUTF(dataSource);
      out.writeInt(models.size());
      for (String m : models) {
        out.writeUTF(m);
      }
      out.writeUTF(sqlHash);
      out.writeBoolean(sourceVersion != null);
      if (sourceVersion != null) {
        out.writeUTF(sourceVersion);
      }
      out.writeLong(createdAt.toEpochMilli());
      out.writeLong(expiresAt.toEpochMilli());
      out.writeLong(rows);
      out.writeLong(computeMicros);
      out.writeInt(ipc.length);
      out.write(ipc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads an entry written by {@link #encode()}.
   *
   * @throws IllegalArgumentException when the bytes are not an entry of this version
   */
  public static CacheEntry decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IllegalArgumentException("not a Strata cache entry of version " + VERSION);
      }
      String key = in.readUTF();
      String ds = in.readUTF();
      int n = length(in.readInt(), in.available() / 2, "model count");
      List<String> models = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        models.add(in.readUTF());
      }
      String sqlHash = in.readUTF();
      String version = in.readBoolean() ? in.readUTF() : null;
      Instant created = Instant.ofEpochMilli(in.readLong());
      Instant expires = Instant.ofEpochMilli(in.readLong());
      long rows = in.readLong();
      long micros = in.readLong();
      byte[] ipc = new byte[length(in.readInt(), in.available(), "IPC length")];
      in.readFully(ipc);
      if (in.available() > 0) {
        throw new IOException(in.available() + " bytes after the end of the entry");
      }
      return new CacheEntry(key, ds, models, sqlHash, version, created, expires, rows, micros, ipc);
    } catch (IOException e) {
      throw new IllegalArgumentException("a truncated or corrupt cache entry: " + e, e);
    }
  }

  /** A length read from the bytes, checked before anything is allocated for it. */
  private static int length(int n, int remaining, String what) throws IOException {
    if (n < 0 || n > remaining) {
      throw new IOException(what + " " + n + " with " + remaining + " bytes left");
    }
    return n;
  }
}
