package io.strata.benchmarks.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough RESP to check that Redis answers and to delete a run's keys afterwards (SCAN with
 * the run's prefix, then DEL). The harness never reads cache entries itself; Strata does.
 */
final class Redis implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  Redis(String uri) throws IOException {
    URI u = URI.create(uri);
    socket = new Socket();
    socket.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort()), 3000);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream());
    if (u.getUserInfo() != null) {
      String[] ui = u.getUserInfo().split(":", 2);
      call(ui.length == 2 && !ui[0].isEmpty() ? new String[] {"AUTH", ui[0], ui[1]}
          : new String[] {"AUTH", ui[ui.length - 1]});
    }
  }

  Object call(String... args) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
    for (String a : args) {
      byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
      b.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      b.write(bytes);
      b.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.write(b.toByteArray());
    out.flush();
    return read();
  }

  private Object read() throws IOException {
    int type = in.read();
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IOException("Redis: " + line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] data = in.readNBytes(n);
        line();
        return new String(data, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("Redis: unexpected reply type " + type);
    }
  }

  private String line() throws IOException {
    StringBuilder s = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("Redis closed the connection");
      }
      s.append((char) c);
    }
    in.read();
    return s.toString();
  }

  /** Deletes every key starting with {@code prefix}; returns how many. */
  long deletePrefix(String prefix) throws IOException {
    long deleted = 0;
    String cursor = "0";
    do {
      List<?> reply = (List<?>) call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
      cursor = (String) reply.get(0);
      List<?> keys = (List<?>) reply.get(1);
      if (!keys.isEmpty()) {
        String[] del = new String[keys.size() + 1];
        del[0] = "UNLINK";
        for (int i = 0; i < keys.size(); i++) {
          del[i + 1] = (String) keys.get(i);
        }
        deleted += (Long) call(del);
      }
    } while (!cursor.equals("0"));
    return deleted;
  }

  /** Keys starting with {@code prefix} (counted by SCAN). */
  long countPrefix(String prefix) throws IOException {
    long n = 0;
    String cursor = "0";
    do {
      List<?> reply = (List<?>) call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
      cursor = (String) reply.get(0);
      n += ((List<?>) reply.get(1)).size();
    } while (!cursor.equals("0"));
    return n;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
