package io.strata.server.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The health endpoint of a {@code strata worker} process ({@code strata.workers.health-port}),
 * which serves no other HTTP: {@code GET /health} answers 200 {@code UP} while the metadata
 * database (the queue) answers, else 503 {@code DOWN} with the reason, and lists the jobs this
 * process runs. The JDK's own HTTP server, so a worker starts no web stack for one route; it
 * carries no data, so it needs no credentials, like a server's {@code /health}.
 */
public final class WorkerHealth implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer http;
  private final DataSource db;
  private final Supplier<List<String>> running;
  private final int threads;

  private WorkerHealth(HttpServer http, DataSource db, Supplier<List<String>> running,
      int threads) {
    this.http = http;
    this.db = db;
    this.running = running;
    this.threads = threads;
  }

  /**
   * Serves the endpoint on {@code port} (0: any free port) of every interface.
   *
   * @throws IOException when the port cannot be bound (in use), naming it
   */
  public static WorkerHealth start(int port, DataSource db, Supplier<List<String>> running,
      int threads) throws IOException {
    return start("0.0.0.0", port, db, running, threads);
  }

  /** Serves the endpoint on {@code host}'s {@code port} (strata.bind-host). */
  public static WorkerHealth start(String host, int port, DataSource db,
      Supplier<List<String>> running, int threads) throws IOException {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new IOException("the worker health port " + port + " (strata.workers.health-port)"
          + " cannot be opened: " + e.getMessage() + "; choose another, 0 for any free port, or"
          + " -1 for none", e);
    }
    WorkerHealth h = new WorkerHealth(http, db, running, threads);
    http.createContext("/health", h::handle);
    http.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "strata-worker-health");
      t.setDaemon(true);
      return t;
    }));
    http.start();
    return h;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().add("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (!exchange.getRequestURI().getPath().equals("/health")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Map<String, Object> database = new LinkedHashMap<>();
      boolean up;
      try (Connection c = db.getConnection()) {
        up = c.isValid(2);
        database.put("reachable", up);
        if (!up) {
          database.put("error", "the connection did not answer within 2 s");
        }
      } catch (SQLException | RuntimeException e) {
        up = false;
        database.put("reachable", false);
        database.put("error", String.valueOf(e.getMessage()));
      }
      List<String> jobs = running.get();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", up ? "UP" : "DOWN");
      body.put("metadataDatabase", database);
      body.put("threads", threads);
      body.put("runningJobs", jobs.size());
      body.put("running", jobs);
      byte[] bytes = JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(up ? 200 : 503, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
