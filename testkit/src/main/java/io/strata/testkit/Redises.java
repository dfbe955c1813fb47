package io.strata.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
  * Real Redis servers for tests, never mocks.
  *
  * <p>{@link #uri()} resolves a shared server in the project's standard order (see DESIGN.md):
  * <ol>
  *   <li>the env var {@value #URI_ENV} ({@code redis://host:port[/db]}, used as given);</li>
  *   <li>the local service at 127.0.0.1:6379 if it answers PING within ~2 s;</li>
  *   <li>Testcontainers ({@code redis:7-alpine}), only when Docker is available;</li>
  *   <li>otherwise an {@link IllegalStateException} saying how to provide one.</li>
  * </ol>
  * The outcome is cached per JVM. Tests sharing a server keep to their own key prefix
  * ({@link #uniquePrefix()}) and remove their keys with {@link #deleteByPrefix}.
  *
  * <p>{@link #startOwn()} starts a private {@code redis-server} process instead, for tests that
  * take Redis away and bring it back.
  */
public final class Redises {

    public static final String URI_ENV = "STRATA_TEST_REDIS_URI";
    public static final String SERVER_ENV = "STRATA_TEST_REDIS_SERVER";
    static final String LOCAL_URI = "redis://127.0.0.1:6379";

    private static final int PROBE_TIMEOUT_MILLIS = 2000;
    /** Containers are referenced here so they live as long as the JVM (Ryuk removes them). */
    private static final List<AutoCloseable> CONTAINERS = new ArrayList<>();
    private static Outcome shared;

    private Redises() {}

    /** A Redis server's URI, {@code redis://host:port[/db]}. Cached per JVM. */
    public static synchronized String uri() {
        if (shared == null) {
            shared = Outcome.of(() -> resolve(System.getenv(URI_ENV), LOCAL_URI, Redises::dockerAvailable));
        }
        return shared.get();
    }

    /** A key prefix no other test uses: {@code strata-test:<uuid>:}. */
    public static String uniquePrefix() {
        return "strata-test:" + UUID.randomUUID() + ":";
    }

    /** Resolution with every input explicit, so tests can exercise it. */
    static String resolve(String explicitUri, String localUri, BooleanSupplier dockerAvailable) {
        if (explicitUri != null && !explicitUri.isBlank()) {
            String u = explicitUri.trim();
            try {
                ping(u, PROBE_TIMEOUT_MILLIS);
                return u;
            } catch (IOException e) {
                throw new IllegalStateException("Redis from env var " + URI_ENV + " (" + u
                        + ") does not answer PING: " + e.getMessage() + ". Fix or unset " + URI_ENV + ".", e);
            }
        }
        String localError;
        try {
            ping(localUri, PROBE_TIMEOUT_MILLIS);
            return localUri;
        } catch (IOException e) {
            localError = e.getMessage();
        }
        boolean docker;
        try {
            docker = dockerAvailable.getAsBoolean();
        } catch (RuntimeException | LinkageError e) {
            docker = false;
        }
        if (docker) {
            return startContainer();
        }
        throw new IllegalStateException("No Redis for tests. Tried, in order:\n"
                + "  1. env var " + URI_ENV + ": not set\n"
                + "  2. local service at " + localUri + ": " + localError + "\n"
                + "  3. Testcontainers: Docker is not available\n"
                + "Provide one of:\n"
                + "  - export " + URI_ENV + "=redis://host:6379\n"
                + "  - run a local Redis on 127.0.0.1:6379 (e.g. `redis-server --daemonize yes --save \"\""
                + " --appendonly no`)\n"
                + "  - install and start Docker so Testcontainers can start a redis:7-alpine container");
    }

    /**
      * Sends PING and expects +PONG (or an authentication error, which still proves a live Redis
      * is there; tests would then need a URI with credentials and fail clearly on first use).
      */
    public static void ping(String uri, int timeoutMillis) throws IOException {
        URI u = URI.create(uri);
        String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
        int port = u.getPort() < 0 ? 6379 : u.getPort();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            String reply = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
            if (!reply.startsWith("+PONG") && !reply.startsWith("-NOAUTH")) {
                throw new IOException("not a Redis at " + host + ":" + port + " (PING answered '"
                        + reply.trim() + "')");
            }
        } catch (IOException e) {
            throw new IOException(host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
      * Deletes every key that starts with {@code prefix} (SCAN + DEL, over a plain socket so the
      * test kit needs no Redis client).
      *
      * @return how many keys were deleted
      */
    public static long deleteByPrefix(String uri, String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.indexOf('*') >= 0) {
            throw new IllegalArgumentException("refusing to delete by prefix '" + prefix + "'");
        }
        URI u = URI.create(uri);
        String pattern = prefix.replace("\\", "\\\\").replace("?", "\\?").replace("[", "\\[") + "*";
        long deleted = 0;
        try (Resp r = new Resp(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), 5000)) {
            String db = u.getPath() == null ? "" : u.getPath().replace("/", "");
            if (!db.isEmpty()) {
                r.command("SELECT", db);
            }
            String cursor = "0";
            do {
                @SuppressWarnings("unchecked")
                List<Object> page = (List<Object>) r.command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
                cursor = (String) page.get(0);
                @SuppressWarnings("unchecked")
                List<Object> keys = (List<Object>) page.get(1);
                if (!keys.isEmpty()) {
                    List<String> args = new ArrayList<>();
                    args.add("DEL");
                    keys.forEach(k -> args.add((String) k));
                    deleted += (Long) r.command(args.toArray(String[]::new));
                }
            } while (!cursor.equals("0"));
        } catch (IOException e) {
            throw new IllegalStateException("could not delete Redis keys '" + prefix + "*' at " + uri
                    + ": " + e.getMessage(), e);
        }
        return deleted;
    }

    /**
      * Runs one command over a plain socket and returns its reply: a String (simple or bulk), Long,
      * List, or null; an error reply is thrown as an IOException.
      */
    public static Object command(String uri, String... args) {
        URI u = URI.create(uri);
        try (Resp r = new Resp(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), 5000)) {
            String db = u.getPath() == null ? "" : u.getPath().replace("/", "");
            if (!db.isEmpty()) {
                r.command("SELECT", db);
            }
            return r.command(args);
        } catch (IOException e) {
            throw new IllegalStateException("Redis command " + args[0] + " at " + uri + " failed: "
                    + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ a private redis-server

    /**
      * Starts a private {@code redis-server} on a free port (binary from env {@value #SERVER_ENV}
      * or {@code redis-server} on PATH), persisting nothing. The caller closes it.
      *
      * @throws IllegalStateException when the binary is missing or the server does not start
      */
    public static OwnRedis startOwn() {
        String binary = findServer(System.getenv(SERVER_ENV), System.getenv("PATH"));
        OwnRedis r = new OwnRedis(binary, freePort());
        r.start();
        return r;
    }

    static String findServer(String explicit, String path) {
        if (explicit != null && !explicit.isBlank()) {
            File f = new File(explicit.trim());
            if (f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
            throw new IllegalStateException("env var " + SERVER_ENV + " names " + explicit
                    + ", which is not an executable file. Point it at a redis-server binary or unset it.");
        }
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, "redis-server");
                if (!dir.isEmpty() && f.isFile() && f.canExecute()) {
                    return f.getAbsolutePath();
                }
            }
        }
        throw new IllegalStateException("This test starts its own Redis and found no redis-server:"
                + " install Redis 7 so that redis-server is on PATH (Debian: `apt-get install"
                + " redis-server`), or set " + SERVER_ENV + "=/path/to/redis-server.");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port: " + e.getMessage(), e);
        }
    }

    /** A redis-server process this JVM started; {@link #stop()} and {@link #start()} keep the port. */
    public static final class OwnRedis implements AutoCloseable {
        private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
        private final String binary;
        private final int port;
        private final Path log;
        private Process process;

        OwnRedis(String binary, int port) {
            this.binary = binary;
            this.port = port;
            try {
                this.log = Files.createTempFile("strata-test-redis-" + port + "-", ".log");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public String uri() {
            return "redis://127.0.0.1:" + port;
        }

        public int port() {
            return port;
        }

        public synchronized boolean running() {
            return process != null && process.isAlive();
        }

        /** Starts the server (again, on the same port) and waits until it answers PING. */
        public synchronized void start() {
            if (running()) {
                return;
            }
            ProcessBuilder pb = new ProcessBuilder(binary, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", System.getProperty("java.io.tmpdir"), "--daemonize", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("could not start " + binary + ": " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            IOException last = null;
            while (System.nanoTime() - deadline < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(binary + " on port " + port + " exited with "
                            + process.exitValue() + "; its output: " + tail());
                }
                try {
                    ping(uri(), 500);
                    return;
                } catch (IOException e) {
                    last = e;
                }
                pause(20);
            }
            process.destroyForcibly();
            throw new IllegalStateException(binary + " on port " + port + " did not answer PING within "
                    + START_TIMEOUT + " (" + (last == null ? "" : last.getMessage()) + "); its output: "
                    + tail());
        }

        /** Kills the server and waits until its port refuses connections. */
        public synchronized void stop() {
            if (process == null) {
                return;
            }
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() - deadline < 0) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                } catch (IOException refused) {
                    process = null;
                    return;
                }
                pause(20);
            }
            throw new IllegalStateException("port " + port + " still accepts connections after killing"
                    + " redis-server");
        }

        @Override
        public synchronized void close() {
            stop();
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a temp file
            }
        }

        private String tail() {
            try {
                String s = Files.readString(log);
                return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private static boolean dockerAvailable() {
        return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    }

    private static String startContainer() {
        var c = new org.testcontainers.containers.GenericContainer<>(
                org.testcontainers.utility.DockerImageName.parse("redis:7-alpine"))
                .withExposedPorts(6379);
        c.start();
        synchronized (CONTAINERS) {
            CONTAINERS.add(c);
        }
        return "redis://" + c.getHost() + ":" + c.getMappedPort(6379);
    }

    /** A minimal RESP2 client: enough for SCAN, DEL, SET and the like. */
    private static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final java.io.BufferedInputStream in;
        private final OutputStream out;

        Resp(String host, int port, int timeoutMillis) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        Object command(String... args) throws IOException {
            StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
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
                    throw new IOException(line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n + 2);
                    return new String(b, 0, n, StandardCharsets.UTF_8);
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IOException("unexpected RESP reply type " + type);
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\r') {
                    in.read(); // '\n'
                    break;
                }
                sb.append((char) c);
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private record Outcome(String uri, RuntimeException failure) {
        static Outcome of(java.util.function.Supplier<String> s) {
            try {
                return new Outcome(s.get(), null);
            } catch (RuntimeException e) {
                return new Outcome(null, e);
            }
        }

        String get() {
            if (failure != null) {
                throw new IllegalStateException(failure.getMessage(), failure);
            }
            return uri;
        }
    }
}
