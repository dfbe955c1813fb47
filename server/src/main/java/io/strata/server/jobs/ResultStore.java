package io.strata.server.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where job results and CSV exports are kept, by name. Every server and worker of a deployment
 * must reach the same store: a worker writes a result that a server reads back for its client.
 * {@link DirectoryResultStore} (a directory under the data dir, or a shared mount) is the one
 * implementation; an object store can implement the same four operations.
 *
 * <p>A result becomes visible only when its writer is closed without {@link Writer#abort()}, so
 * a reader never sees a half-written file, and a job that runs again (at-least-once) replaces
 * its earlier result whole.
 */
public interface ResultStore {
  /** A result being written. */
  interface Writer extends AutoCloseable {
    OutputStream stream();

    /** Drops what was written; {@link #close()} then publishes nothing. */
    void abort();

    /** Publishes the result under its name (replacing one of the same name). */
    @Override
    void close() throws IOException;
  }

  Writer create(String name) throws IOException;

  /** @throws java.nio.file.NoSuchFileException when there is no such result (swept, or never written) */
  InputStream open(String name) throws IOException;

  /** The result's size in bytes, or -1 when there is none. */
  long size(String name);

  /** Deletes a result; false when there was none. */
  boolean delete(String name) throws IOException;
}
