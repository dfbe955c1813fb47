package io.strata.server.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A {@link ResultStore} in one directory: each result a file, written to a temporary name and
 * renamed into place atomically.
 */
public final class DirectoryResultStore implements ResultStore {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
  private final Path dir;

  public DirectoryResultStore(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the job result directory " + dir
          + " (strata.jobs.store-dir): " + e.getMessage(), e);
    }
  }

  public Path directory() {
    return dir;
  }

  private Path path(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("not a result name: " + name);
    }
    return dir.resolve(name);
  }

  @Override
  public Writer create(String name) throws IOException {
    Path target = path(name);
    Path temp = dir.resolve(".tmp-" + UUID.randomUUID() + "-" + name);
    OutputStream out = Files.newOutputStream(temp);
    return new Writer() {
      private boolean aborted;

      @Override
      public OutputStream stream() {
        return out;
      }

      @Override
      public void abort() {
        aborted = true;
      }

      @Override
      public void close() throws IOException {
        try {
          out.close();
        } finally {
          if (aborted) {
            Files.deleteIfExists(temp);
          }
        }
        if (!aborted) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        }
      }
    };
  }

  @Override
  public InputStream open(String name) throws IOException {
    return Files.newInputStream(path(name));
  }

  @Override
  public long size(String name) {
    try {
      return Files.size(path(name));
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public boolean delete(String name) throws IOException {
    return Files.deleteIfExists(path(name));
  }
}
