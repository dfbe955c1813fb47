package io.strata.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;

/**
 * Writes {@code encoding.md} from the JMH JSON of {@link ArrowIpcBenchmark} and
 * {@link AvaticaFrameBenchmark}: time per 10k-row result, the rate it implies, and the encoded
 * size (computed here with the benchmarks' own encoders, so it is the size that was timed).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.strata.benchmarks.EncodingReport
 * OUT_MD JMH_JSON...} (LZ4 is run apart, single-shot: Arrow Java's LZ4_FRAME codec takes
 * seconds per batch, apache/arrow-java#192, and would not fit JMH's timed iterations).
 */
public final class EncodingReport {
  private EncodingReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: EncodingReport OUT_MD JMH_JSON...");
      System.exit(2);
    }
    java.util.List<JsonNode> runs = new java.util.ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      new ObjectMapper().readTree(Path.of(args[i]).toFile()).forEach(runs::add);
    }
    int rows = 10_000;
    Map<String, Long> sizes = new LinkedHashMap<>();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = SampleResult.arrow(allocator, rows)) {
      for (String codec : new String[] {"none", "lz4", "zstd"}) {
        sizes.put("arrow/" + codec, (long) ArrowIpcBenchmark.encode(batch, codec).length);
      }
    }
    sizes.put("avatica", (long) AvaticaFrameBenchmark.encode(new ProtobufTranslationImpl(),
        Meta.Frame.create(0, true, SampleResult.jdbcRows(rows))).length);

    StringBuilder md = new StringBuilder();
    md.append("# Result encoding (JMH)\n\n");
    md.append("Commands (after `./mvnw -B -pl benchmarks -am package -DskipTests`):\n\n```sh\n"
        + "J='java --add-opens=java.base/java.nio=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar'\n"
        + "$J 'ArrowIpcBenchmark|AvaticaFrameBenchmark' -p codec=none,zstd -rf json -rff benchmarks/results/encoding-jmh.json\n"
        + "$J ArrowIpcBenchmark -p codec=lz4 -bm ss -wi 1 -i 3 -rf json -rff benchmarks/results/encoding-lz4-jmh.json\n"
        + "java --add-opens=java.base/java.nio=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \\\n"
        + "  io.strata.benchmarks.EncodingReport benchmarks/results/encoding.md \\\n"
        + "  benchmarks/results/encoding-jmh.json benchmarks/results/encoding-lz4-jmh.json\n```\n\n");
    md.append(String.format(Locale.ROOT, "Machine: %d cores, %.0f GiB, %s %s, %s; shared and noisy"
            + " (errors are 99.9%% intervals from 5 iterations of 2 s, 1 fork).%n%n",
        Runtime.getRuntime().availableProcessors(), Machine.memoryGiB(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch")));
    md.append("Result: 10,000 rows × 6 columns (bigint id, two short strings, int, double,"
        + " timestamp), one batch/frame. Arrow: IPC stream (schema + one record batch) with the"
        + " IPC format's buffer compression; Avatica: the protobuf `FetchResponse` of one frame,"
        + " as Avatica's protobuf handler serialises it.\n\n");
    md.append("| format | op | µs per 10k rows | ± | rows/s | MB/s (of encoded bytes) | encoded size |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (JsonNode run : runs) {
      String bench = run.get("benchmark").asText();
      String op = bench.substring(bench.lastIndexOf('.') + 1);
      String format;
      long size;
      if (bench.contains("ArrowIpcBenchmark")) {
        String codec = run.get("params").get("codec").asText();
        format = "Arrow IPC, " + switch (codec) {
          case "none" -> "uncompressed";
          case "lz4" -> "LZ4_FRAME";
          default -> "ZSTD";
        };
        size = sizes.get("arrow/" + codec);
      } else if (bench.contains("AvaticaFrameBenchmark")) {
        format = "Avatica protobuf frame";
        size = sizes.get("avatica");
      } else {
        continue;
      }
      if (run.get("mode").asText().equals("ss")) {
        format += " (single-shot: 1 warm-up, 3 runs)";
      }
      JsonNode m = run.get("primaryMetric");
      double us = m.get("score").asDouble();
      double err = m.get("scoreError").asDouble();
      md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %,.0f | %,.0f | %,d B (%.1f B/row) |%n",
          format, op, us, Double.isNaN(err) ? 0 : err, rows / (us / 1e6),
          size / (us / 1e6) / 1e6, size, size / (double) rows));
    }
    md.append("\nRead: rows/s is 10,000 divided by the time; MB/s divides the encoded size by the"
        + " time, for both encode and decode.\n");
    Map<String, Double> us = new LinkedHashMap<>();
    for (JsonNode run : runs) {
      String bench = run.get("benchmark").asText();
      String key = (bench.contains("Avatica") ? "avatica" : "arrow/" + run.get("params").get("codec").asText())
          + "/" + bench.substring(bench.lastIndexOf('.') + 1);
      us.put(key, run.get("primaryMetric").get("score").asDouble());
    }
    Double ae = us.get("avatica/encode");
    Double ad = us.get("avatica/decode");
    Double ne = us.get("arrow/none/encode");
    Double nd = us.get("arrow/none/decode");
    if (ae != null && ne != null && ad != null && nd != null) {
      md.append(String.format(Locale.ROOT, "%nFindings: an Avatica frame costs %.0fx the time of an"
              + " uncompressed Arrow IPC batch to encode and %.0fx to decode, and is %.1fx its size."
              + " ZSTD shrinks the batch %.1fx at %.0fx the encode time.",
          ae / ne, ad / nd, sizes.get("avatica") / (double) sizes.get("arrow/none"),
          sizes.get("arrow/none") / (double) sizes.get("arrow/zstd"),
          us.getOrDefault("arrow/zstd/encode", Double.NaN) / ne));
      Double le = us.get("arrow/lz4/encode");
      if (le != null) {
        md.append(String.format(Locale.ROOT, " Arrow Java's LZ4_FRAME codec (commons-compress) took"
            + " %.1f s to encode one 10k-row batch: unusable for a cache (a known problem,"
            + " apache/arrow-java#192); a cache that wants LZ4 needs another implementation"
            + " (lz4-java) outside Arrow's IPC codec, or ZSTD.", le / 1e6));
      }
      md.append("\n");
    }
    Files.writeString(Path.of(args[0]), md.toString());
    System.out.print(md);
  }
}
