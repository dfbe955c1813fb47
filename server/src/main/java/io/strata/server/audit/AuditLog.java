package io.strata.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.AuditEntry;
import io.strata.server.metadata.AuditStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who changed what, and when. The one entry point for writing it; whoever
 * makes a change that an admin may later need to account for calls {@link #record} after the
 * change succeeded (controllers, with the caller and their address; the login throttle for
 * lockouts, with no actor).
 *
 * <p>Conventions, so that entries can be filtered alike:
 *
 * <ul>
 *   <li>{@code action}: a lower-case verb: {@code create}, {@code update}, {@code delete},
 *       {@code import}, {@code invalidate}, {@code lockout}, ... (a new kind of change picks a
 *       new verb);
 *   <li>{@code resourceType}: {@code model}, {@code data_source}, {@code user}, {@code token},
 *       {@code dashboard}, {@code chart}, {@code cache}, {@code address}, ... (one per kind of
 *       thing, snake_case);
 *   <li>{@code resourceName}: the thing's name, or its id as text when it has no name;
 *   <li>{@code details}: what an admin needs to know of the change (fields changed, new role,
 *       ...); values are written as JSON (strings, numbers, booleans, lists, maps). Never pass a
 *       secret: as a guard, any key that looks like one ({@code password}, {@code secret},
 *       {@code token}, {@code hash}, {@code credential}) is replaced by {@code "(redacted)"}.
 * </ul>
 *
 * <p>Recording never fails the change it records: the change has happened, so a failure to
 * write is logged at WARN and the caller goes on. Entries older than
 * {@code strata.audit.retention} are deleted by the server's housekeeping ({@link #purge}).
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
  private static final Pattern SECRET =
      Pattern.compile(".*(password|secret|token|hash|credential).*");
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final AuditStore store;
  private final Clock clock;

  public AuditLog(AuditStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Records a change by {@code actor} (null: the server itself), whose address is unknown. */
  public void record(Principal actor, String action, String resourceType, String resourceName,
      Map<String, ?> details) {
    record(actor, null, action, resourceType, resourceName, details);
  }

  /**
   * Records a change by {@code actor} (null: the server itself) from {@code actorAddress} (an IP
   * address as text, or null).
   *
   * @throws IllegalArgumentException when {@code action} or {@code resourceType} is not a
   *     lower-case word: a programming error, so that entries stay filterable
   */
  public void record(Principal actor, String actorAddress, String action, String resourceType,
      String resourceName, Map<String, ?> details) {
    if (!WORD.matcher(String.valueOf(action)).matches()
        || !WORD.matcher(String.valueOf(resourceType)).matches()) {
      throw new IllegalArgumentException("audit action and resource type are lower-case words"
          + " (a-z, 0-9, _): '" + action + "', '" + resourceType + "'");
    }
    AuditEntry e = new AuditEntry(0, clock.instant(), actor == null ? null : actor.username(),
        actorAddress, action, resourceType, resourceName, json(details));
    try {
      store.append(e);
    } catch (RuntimeException failure) {
      LOG.warn("could not write the audit log entry {} {} '{}' by {}: {}", action, resourceType,
          resourceName, e.actor(), failure.toString());
    }
  }

  /** Entries the filter selects, newest first. */
  public List<AuditEntry> find(AuditStore.Filter filter) {
    return store.find(filter);
  }

  /** Deletes entries recorded before {@code cutoff}; returns how many. */
  public int purge(Instant cutoff) {
    return store.deleteOlderThan(cutoff);
  }

  private static String json(Map<String, ?> details) {
    if (details == null || details.isEmpty()) {
      return "{}";
    }
    try {
      String text = JSON.writeValueAsString(redact(details));
      return text.length() <= AuditStore.MAX_DETAILS ? text
          : "{\"truncated\":true,\"length\":" + text.length() + "}";
    } catch (JsonProcessingException e) {
      return "{\"unwritable\":" + JSON.valueToTree(e.getOriginalMessage()) + "}";
    }
  }

  private static Object redact(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> {
        String key = String.valueOf(k);
        out.put(key, SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches() && !(v instanceof Boolean)
            ? "(redacted)" : redact(v));
      });
      return out;
    }
    if (value instanceof Collection<?> c) {
      return c.stream().map(AuditLog::redact).toList();
    }
    return value;
  }
}
