package io.strata.server.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * A job's input, stored as JSON in {@code strata_jobs.parameters}: a semantic query
 * ({@code query}) or a SQL statement ({@code sql} with {@code parameters}) for query and export
 * jobs, a dashboard id for warm-up jobs, and the export's options.
 *
 * @param subject what a kind run by a {@link JobHandler} works on (a report's id, ...)
 * @param cache the cache option of the query ({@code on} when null)
 * @param gzip exports: write {@code .csv.gz}
 * @param neutraliseFormulas exports: OWASP formula neutralisation of text cells (the server's
 *     {@code strata.csv.neutralise-formulas} when null)
 * @param model rollup builds: the model declaring the rollup
 * @param rollup rollup builds: the rollup's name
 * @param force rollup builds: rebuild every partition, not only missing and recent ones
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRequest(JsonNode query, String sql, List<Object> parameters, String cache,
    Boolean gzip, Boolean neutraliseFormulas, Long dashboardId, String subject, String model,
    String rollup, Boolean force) {
  /** Numbers read back as BigInteger/BigDecimal, the types the SQL endpoint binds. */
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

  public static JobRequest query(JsonNode query, String cache) {
    return new JobRequest(query, null, null, cache, null, null, null, null, null, null, null);
  }

  public static JobRequest sql(String sql, List<Object> parameters, String cache) {
    return new JobRequest(null, sql, parameters, cache, null, null, null, null, null, null, null);
  }

  public static JobRequest warmup(long dashboardId) {
    return new JobRequest(null, null, null, null, null, null, dashboardId, null, null, null, null);
  }

  /** A job of a kind run by a {@link JobHandler}, about {@code subject}. */
  public static JobRequest about(String subject) {
    return new JobRequest(null, null, null, null, null, null, null, subject, null, null, null);
  }

  public static JobRequest rollupBuild(String model, String rollup, boolean force) {
    return new JobRequest(null, null, null, null, null, null, null, null, model, rollup, force);
  }

  public JobRequest asExport(boolean gzip, Boolean neutralise) {
    return new JobRequest(query, sql, parameters, cache, gzip, neutralise, dashboardId, subject,
        model, rollup, force);
  }

  String json() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static JobRequest parse(String json) {
    try {
      return MAPPER.readValue(json, JobRequest.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a job's stored parameters are not readable: "
          + e.getOriginalMessage(), e);
    }
  }
}
