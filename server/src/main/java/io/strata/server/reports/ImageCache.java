package io.strata.server.reports;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image caches: {@code thumbnails} (a dashboard's or chart's picture per viewer) and
 * {@code images} (what a report or alert run rendered, keyed by what was rendered, so a page sent
 * on five channels, or by five reports, is rendered once). In the results cache's Redis when one
 * is configured ({@code strata.cache.redis.uri}, every server sees the same pictures), else as
 * files in the job store's directory.
 *
 * <p>An entry is the bytes with when they were made and a version (what the picture is of), so
 * a reader can tell a stale thumbnail from a fresh one and still show it meanwhile.
 */
interface ImageCache extends AutoCloseable {
  /** A cached picture: its bytes, the version it shows, and when it was made. */
  record Image(byte[] bytes, String version, Instant renderedAt) {}

  Optional<Image> get(String cache, String key);

  /** Stores a picture; {@code ttl} zero keeps it until replaced. */
  void put(String cache, String key, Image image, Duration ttl);

  /**
   * Deletes the entries of {@code cache} made before {@code before} (Redis expires its own; the
   * file store is swept by this).
   */
  default void sweep(String cache, Instant before) {}

  @Override
  void close();

  static ImageCache open(String redisUri, String prefix, Path dir) {
    return redisUri == null || redisUri.isBlank() ? new Files_(dir) : new Redis(redisUri, prefix);
  }

  /** Header: version and time, one line; then the picture. */
  static byte[] encode(Image i) {
    byte[] head = (i.version() + " " + i.renderedAt().toEpochMilli() + "\n")
        .getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(head.length + i.bytes().length).put(head).put(i.bytes()).array();
  }

  static Optional<Image> decode(byte[] raw) {
    if (raw == null) {
      return Optional.empty();
    }
    int nl = 0;
    while (nl < raw.length && raw[nl] != '\n') {
      nl++;
    }
    if (nl >= raw.length) {
      return Optional.empty();
    }
    String[] head = new String(raw, 0, nl, StandardCharsets.UTF_8).split(" ");
    if (head.length != 2) {
      return Optional.empty();
    }
    byte[] bytes = java.util.Arrays.copyOfRange(raw, nl + 1, raw.length);
    return Optional.of(new Image(bytes, head[0], Instant.ofEpochMilli(Long.parseLong(head[1]))));
  }

  /** Files under the job store: one per key, replaced by an atomic move. */
  final class Files_ implements ImageCache {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private final Path dir;

    Files_(Path dir) {
      this.dir = dir;
    }

    private Path path(String cache, String key) {
      return dir.resolve(cache).resolve(key.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    @Override
    public Optional<Image> get(String cache, String key) {
      Path p = path(cache, key);
      try {
        Optional<Image> i = decode(Files.readAllBytes(p));
        return i;
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException | RuntimeException e) {
        LOG.warn("image {} unreadable: {}", p, e.toString());
        return Optional.empty();
      }
    }

    @Override
    public void put(String cache, String key, Image image, Duration ttl) {
      Path p = path(cache, key);
      try {
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(".tmp-" + UUID.randomUUID());
        Files.write(tmp, encode(image));
        try {
          Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        LOG.warn("image {} not cached: {}", p, e.toString());
      }
    }

    @Override
    public void sweep(String cache, Instant before) {
      Path d = dir.resolve(cache);
      if (!Files.isDirectory(d)) {
        return;
      }
      try (java.util.stream.Stream<Path> files = Files.list(d)) {
        files.forEach(f -> {
          try {
            if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
              Files.deleteIfExists(f);
            }
          } catch (IOException e) {
            LOG.debug("image {} not swept: {}", f, e.toString());
          }
        });
      } catch (IOException e) {
        LOG.warn("images under {} not swept: {}", d, e.toString());
      }
    }

    @Override
    public void close() {}
  }

  /** Redis: one binary value per key under the results cache's prefix, with its TTL. */
  final class Redis implements ImageCache {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private final RedisClient client;
    private final String prefix;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;

    Redis(String uri, String prefix) {
      this.client = RedisClient.create(RedisURI.create(uri));
      this.client.setDefaultTimeout(Duration.ofSeconds(5));
      this.prefix = prefix;
    }

    private StatefulRedisConnection<byte[], byte[]> connection() {
      StatefulRedisConnection<byte[], byte[]> c = connection;
      if (c == null || !c.isOpen()) {
        synchronized (this) {
          if (connection == null || !connection.isOpen()) {
            connection = client.connect(ByteArrayCodec.INSTANCE);
          }
          c = connection;
        }
      }
      return c;
    }

    private byte[] key(String cache, String key) {
      return (prefix + cache + ":" + key).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<Image> get(String cache, String key) {
      try {
        return decode(connection().sync().get(key(cache, key)));
      } catch (RuntimeException e) {
        LOG.warn("image cache (Redis) unreadable: {}", e.toString());
        return Optional.empty();
      }
    }

    @Override
    public void put(String cache, String key, Image image, Duration ttl) {
      try {
        SetArgs args = ttl.isZero() ? new SetArgs() : SetArgs.Builder.px(ttl.toMillis());
        connection().sync().set(key(cache, key), encode(image), args);
      } catch (RuntimeException e) {
        LOG.warn("image not cached (Redis): {}", e.toString());
      }
    }

    @Override
    public void close() {
      if (connection != null) {
        connection.close();
      }
      client.shutdown();
    }
  }
}
