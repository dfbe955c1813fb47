package io.strata.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.expression.AdHocExpression;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.SecurityStore;
import io.strata.server.metadata.StoredGrant;
import io.strata.server.metadata.StoredRule;
import io.strata.server.metadata.UserStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may see what, and which rows: the one entry point of row-level security and access
 * grants. {@code QueryService} calls {@link #secure} for every query of every endpoint; the
 * catalog endpoints (REST {@code /meta}, JDBC and Flight SQL metadata, SQL over semantic tables)
 * ask {@link #canSeeModel}, {@link #canSeeView} and {@link #canSeePath}; raw SQL asks
 * {@link #canReadDataSource}. Thread-safe; the rules, grants and attributes are a snapshot
 * reloaded after every change made here and, for changes other servers made, by
 * {@link #refreshIfChanged()} (polled with the models).
 *
 * <p><b>Rules.</b> A rule protects one model: its filters (the semantic query's own filter JSON,
 * ANDed; values may be {@code {user.<attribute>}}, {@code {user.username}} or
 * {@code {user.role}}) are added to the semantic IR of every query whose SQL reads the model,
 * before compilation, so they reach the warehouse SQL and so the cache key. A rule applies to
 * the users and roles it lists; both empty means every non-admin. Several rules that apply are
 * ANDed (each only ever narrows: adding a rule can never widen what someone sees). A user who
 * lacks an attribute a condition needs gets that condition as false (no rows), never an error.
 * Values are bound as values of the IR, so the compiler renders them as SQL literals.
 *
 * <p><b>Grants.</b> A model, view or member with no grants is open to everyone (existing
 * deployments keep working); once it has a grant, only the grant's roles and users see it. A
 * grant with no roles and no users hides its target from every non-admin (how a member is
 * hidden). A view column is seen only when the view and the model member it shows are. Data
 * sources are the other way round: raw SQL on a data source needs a grant of it. Admins are
 * exempt from rules and grants. What a user may not see is answered exactly like a typo.
 */
public final class AccessPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(AccessPolicy.class);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{user\\.([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern LOCATION_PREFIX = Pattern.compile("^line \\d+, column \\d+(, )?");
  private static final Set<String> BUILT_IN = Set.of("username", "role");
  private static final int MAX_ATTRIBUTE_VALUE = 4000;

  /** What a grant is of. */
  public enum Kind {
    MODEL, VIEW, MEMBER, DATA_SOURCE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind parse(String s) {
      for (Kind k : values()) {
        if (k.id().equals(s)) {
          return k;
        }
      }
      return null;
    }
  }

  /** A query with the rules that apply bound into its filters, and its compilation. */
  public record Secured(SemanticQuery query, CompiledQuery compiled, String rules) {}

  /** A rule as an admin writes it; {@code filters} is the JSON list of semantic filters. */
  public record RuleInput(String model, JsonNode filters, List<String> roles, List<String> users,
      String description) {}

  /** A grant as an admin writes it. */
  public record GrantInput(String kind, String target, List<String> roles, List<String> users,
      String description) {}

  private record Rule(long id, String model, List<Filter> filters, Set<Role> roles,
      Set<String> users) {
    boolean appliesTo(SecurityContext ctx) {
      return roles.isEmpty() && users.isEmpty() || roles.contains(ctx.role())
          || users.contains(ctx.username());
    }
  }

  private record Grant(Set<Role> roles, Set<String> users) {
    boolean grants(SecurityContext ctx) {
      return roles.contains(ctx.role()) || users.contains(ctx.username());
    }
  }

  private record Snapshot(long revision, Map<String, List<Rule>> rulesByModel,
      Map<String, List<Grant>> grants, Map<Long, Map<String, String>> attributes) {
    static final Snapshot EMPTY = new Snapshot(-1, Map.of(), Map.of(), Map.of());
  }

  private final SecurityStore store;
  private final UserStore users;
  private final Supplier<SemanticCatalog> catalog;
  private final Supplier<Set<String>> dataSources;
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  /**
   * @param catalog the current models (rules and grants are validated against them)
   * @param dataSources the names of the configured data sources
   */
  public AccessPolicy(SecurityStore store, UserStore users, Supplier<SemanticCatalog> catalog,
      Supplier<Set<String>> dataSources) {
    this.store = store;
    this.users = users;
    this.catalog = catalog;
    this.dataSources = dataSources;
    if (store != null) {
      reload();
    }
  }

  /** A policy without rules or grants: for a query service that runs without metadata. */
  public static AccessPolicy open() {
    return new AccessPolicy(null, null, () -> SemanticCatalog.of(List.of(), List.of()), Set::of);
  }

  // ================================================================== contexts

  /** The security context of an authenticated caller, with their current attributes. */
  public SecurityContext context(Principal principal) {
    return SecurityContext.of(principal,
        snapshot.attributes().getOrDefault(principal.userId(), Map.of()));
  }

  /** The security context of a user known by name (Flight SQL peers), if the user exists. */
  public Optional<SecurityContext> context(String username) {
    if (users == null) {
      return Optional.empty();
    }
    return users.find(username).filter(u -> !u.disabled()).map(u -> new SecurityContext(u.id(),
        u.username(), u.role(), snapshot.attributes().getOrDefault(u.id(), Map.of())));
  }

  // ================================================================== queries

  /**
   * Checks that the query names nothing the caller may not see (answered as the compiler
   * answers a typo), adds the filters of every rule that applies to the caller and a model the
   * compiled SQL reads, and compiles the result with {@code compile}. A rule's filters may join
   * in another model with rules of its own: those are added too, until nothing changes.
   *
   * @throws QueryException the query names something unknown or hidden, or does not compile
   */
  public Secured secure(SecurityContext ctx, SemanticQuery q,
      Function<SemanticQuery, CompiledQuery> compile) {
    Snapshot s = snapshot;
    if (ctx.exempt()) {
      return new Secured(q, compile.apply(q), "");
    }
    SemanticCatalog c = catalog.get();
    if (!s.grants().isEmpty()) {
      checkVisible(ctx, q, s, c);
    }
    CompiledQuery compiled = compile.apply(q);
    if (s.rulesByModel().isEmpty()) {
      return new Secured(q, compiled, "");
    }
    Map<Long, Filter> applied = new TreeMap<>();
    SemanticQuery current = q;
    for (int round = 0; round <= c.models().size(); round++) {
      boolean added = false;
      for (String model : compiled.models()) {
        for (Rule r : s.rulesByModel().getOrDefault(model, List.of())) {
          if (r.appliesTo(ctx) && !applied.containsKey(r.id())) {
            applied.put(r.id(), bind(r, ctx));
            added = true;
          }
        }
      }
      if (!added) {
        break;
      }
      List<Filter> filters = new ArrayList<>(q.filters());
      filters.addAll(applied.values());
      current = new SemanticQuery(q.measures(), q.dimensions(), q.timeDimensions(), filters,
          q.segments(), q.order(), q.limit(), q.offset(), q.timezone());
      try {
        compiled = compile.apply(current);
      } catch (QueryException e) {
        // the user's own query compiled: what fails is a stored rule the models have outgrown.
        // Refuse (fail closed) without showing the rule's filter to a user it restricts.
        LOG.error("row-level security rules {} no longer compile: {}", applied.keySet(),
            e.getMessage());
        throw new QueryException(QueryException.Code.INVALID_QUERY, null,
            "the row-level security rules that apply to this query no longer fit the models;"
                + " ask an admin to update rules " + applied.keySet());
      }
    }
    StringBuilder canonical = new StringBuilder();
    applied.forEach((id, f) -> canonical.append("rule ").append(id).append(": ").append(f)
        .append('\n'));
    return new Secured(current, compiled, canonical.toString());
  }

  /** A rule's filters with the caller's attributes bound, ANDed into one filter. */
  private static Filter bind(Rule r, SecurityContext ctx) {
    List<Filter> bound = new ArrayList<>();
    for (Filter f : r.filters()) {
      bound.add(bind(f, ctx));
    }
    return bound.size() == 1 ? bound.get(0) : new Filter.And(bound);
  }

  private static Filter bind(Filter f, SecurityContext ctx) {
    if (f instanceof Filter.And a) {
      return new Filter.And(a.filters().stream().map(x -> bind(x, ctx)).toList());
    }
    if (f instanceof Filter.Or o) {
      return new Filter.Or(o.filters().stream().map(x -> bind(x, ctx)).toList());
    }
    Filter.Condition c = (Filter.Condition) f;
    List<String> values = new ArrayList<>();
    for (String v : c.values()) {
      Matcher m = PLACEHOLDER.matcher(v);
      if (!m.matches()) {
        values.add(v);
        continue;
      }
      String value = attribute(ctx, m.group(1));
      if (value == null) {
        // fail closed: a condition the user has no value for is false (IS NULL AND IS NOT NULL)
        return new Filter.And(List.of(
            new Filter.Condition(c.member(), FilterOperator.SET, List.of()),
            new Filter.Condition(c.member(), FilterOperator.NOT_SET, List.of())));
      }
      values.add(value);
    }
    return new Filter.Condition(c.member(), c.operator(), values);
  }

  private static String attribute(SecurityContext ctx, String name) {
    return switch (name) {
      case "username" -> ctx.username();
      case "role" -> ctx.role().id();
      default -> ctx.attributes().get(name);
    };
  }

  /** Throws, as the compiler does for a typo, at the first member the caller may not see. */
  private void checkVisible(SecurityContext ctx, SemanticQuery q, Snapshot s, SemanticCatalog c) {
    for (int i = 0; i < q.dimensions().size(); i++) {
      String path = q.dimensions().get(i);
      if (path != null && !AdHocExpression.isExpression(path) && c.resolve(path.trim()).isEmpty()
          && path.chars().filter(ch -> ch == '.').count() == 2) {
        String head = path.substring(0, path.lastIndexOf('.'));
        if (Granularity.parse(path.substring(path.lastIndexOf('.') + 1)) != null
            && c.resolve(head).isPresent() && !pathVisible(ctx, head, s, c)) {
          throw typo(path, "dimensions[" + i + "]", ctx, s, c);
        }
        continue;
      }
      check(ctx, path, "dimensions[" + i + "]", s, c);
    }
    for (int i = 0; i < q.timeDimensions().size(); i++) {
      check(ctx, q.timeDimensions().get(i).dimension(), "timeDimensions[" + i + "].dimension",
          s, c);
    }
    for (int i = 0; i < q.measures().size(); i++) {
      check(ctx, q.measures().get(i), "measures[" + i + "]", s, c);
    }
    for (int i = 0; i < q.segments().size(); i++) {
      check(ctx, q.segments().get(i), "segments[" + i + "]", s, c);
    }
    for (int i = 0; i < q.filters().size(); i++) {
      checkFilter(ctx, q.filters().get(i), "filters[" + i + "]", s, c);
    }
  }

  private void checkFilter(SecurityContext ctx, Filter f, String loc, Snapshot s,
      SemanticCatalog c) {
    if (f instanceof Filter.Condition cond) {
      check(ctx, cond.member(), loc + ".member", s, c);
      return;
    }
    List<Filter> parts = f instanceof Filter.And a ? a.filters() : ((Filter.Or) f).filters();
    String key = f instanceof Filter.And ? ".and[" : ".or[";
    for (int i = 0; i < parts.size(); i++) {
      checkFilter(ctx, parts.get(i), loc + key + i + "]", s, c);
    }
  }

  private void check(SecurityContext ctx, String path, String loc, Snapshot s,
      SemanticCatalog c) {
    if (AdHocExpression.isExpression(path)) {
      // an expression over dimensions: each dimension it reads must be visible
      for (String ref : AdHocExpression.references(path)) {
        check(ctx, ref, loc, s, c);
      }
      return;
    }
    if (path == null || c.resolve(path.trim()).isEmpty()) {
      return; // unknown to everyone: the compiler says so
    }
    if (!pathVisible(ctx, path.trim(), s, c)) {
      throw typo(path, loc, ctx, s, c);
    }
  }

  /** The compiler's error for an unknown member, word for word (see Compilation#resolve). */
  private QueryException typo(String path, String loc, SecurityContext ctx, Snapshot s,
      SemanticCatalog c) {
    int dot = path.indexOf('.');
    String owner = path.substring(0, dot);
    if (!ownerVisible(ctx, owner, s, c)) {
      return new QueryException(QueryException.Code.UNKNOWN_MEMBER, loc, "unknown member '"
          + path + "': there is no model or view named '" + owner + "'");
    }
    return new QueryException(QueryException.Code.UNKNOWN_MEMBER, loc, "unknown member '" + path
        + "': '" + owner + "' has no member '" + path.substring(dot + 1) + "'");
  }

  // ================================================================== visibility

  public boolean canSeeModel(SecurityContext ctx, String model) {
    return ctx.exempt() || allowed(ctx, snapshot, Kind.MODEL, model, true);
  }

  public boolean canSeeView(SecurityContext ctx, String view) {
    return ctx.exempt() || allowed(ctx, snapshot, Kind.VIEW, view, true);
  }

  /** Whether the caller sees {@code model.member} or {@code view.column}. */
  public boolean canSeePath(SecurityContext ctx, String path) {
    return ctx.exempt() || pathVisible(ctx, path, snapshot, catalog.get());
  }

  /** Whether the caller may send raw SQL to a data source: admins and its grantees. */
  public boolean canReadDataSource(SecurityContext ctx, String dataSource) {
    return ctx.exempt() || allowed(ctx, snapshot, Kind.DATA_SOURCE, dataSource, false);
  }

  private boolean ownerVisible(SecurityContext ctx, String owner, Snapshot s, SemanticCatalog c) {
    if (c.model(owner).isPresent()) {
      return allowed(ctx, s, Kind.MODEL, owner, true);
    }
    return allowed(ctx, s, Kind.VIEW, owner, true);
  }

  private boolean pathVisible(SecurityContext ctx, String path, Snapshot s, SemanticCatalog c) {
    if (ctx.exempt()) {
      return true;
    }
    int dot = path.indexOf('.');
    if (dot <= 0) {
      return true;
    }
    String owner = path.substring(0, dot);
    if (c.model(owner).isPresent()) {
      return allowed(ctx, s, Kind.MODEL, owner, true)
          && allowed(ctx, s, Kind.MEMBER, path, true);
    }
    String shown = c.viewColumns(owner).get(path.substring(dot + 1));
    if (shown == null) {
      return true;
    }
    int d = shown.indexOf('.');
    return allowed(ctx, s, Kind.VIEW, owner, true)
        && allowed(ctx, s, Kind.MODEL, shown.substring(0, d), true)
        && allowed(ctx, s, Kind.MEMBER, shown, true);
  }

  private static boolean allowed(SecurityContext ctx, Snapshot s, Kind kind, String target,
      boolean openWithoutGrants) {
    if (ctx.exempt()) {
      return true;
    }
    List<Grant> grants = s.grants().get(kind.id() + ":" + target);
    if (grants == null || grants.isEmpty()) {
      return openWithoutGrants;
    }
    for (Grant g : grants) {
      if (g.grants(ctx)) {
        return true;
      }
    }
    return false;
  }

  // ================================================================== administration

  public List<StoredRule> rules() {
    return store.rules();
  }

  public StoredRule rule(long id) {
    return store.rule(id);
  }

  /** @throws AccessRuleException naming the field that is wrong */
  public StoredRule createRule(RuleInput in) {
    validate(in);
    StoredRule r = store.createRule(in.model().trim(), in.filters().toString(),
        clean(in.roles()), clean(in.users()), in.description());
    reload();
    return r;
  }

  /** @throws AccessRuleException naming the field that is wrong */
  public StoredRule updateRule(long id, RuleInput in) {
    store.rule(id);
    validate(in);
    StoredRule r = store.updateRule(id, in.model().trim(), in.filters().toString(),
        clean(in.roles()), clean(in.users()), in.description());
    reload();
    return r;
  }

  public void deleteRule(long id) {
    store.deleteRule(id);
    reload();
  }

  public List<StoredGrant> grants() {
    return store.grants();
  }

  public StoredGrant grant(long id) {
    return store.grant(id);
  }

  /** @throws AccessRuleException naming the field that is wrong */
  public StoredGrant createGrant(GrantInput in) {
    Kind kind = validate(in);
    StoredGrant g = store.createGrant(kind.id(), in.target().trim(), clean(in.roles()),
        clean(in.users()), in.description());
    reload();
    return g;
  }

  /** @throws AccessRuleException naming the field that is wrong */
  public StoredGrant updateGrant(long id, GrantInput in) {
    store.grant(id);
    Kind kind = validate(in);
    StoredGrant g = store.updateGrant(id, kind.id(), in.target().trim(), clean(in.roles()),
        clean(in.users()), in.description());
    reload();
    return g;
  }

  public void deleteGrant(long id) {
    store.deleteGrant(id);
    reload();
  }

  public Map<String, String> attributes(long userId) {
    return store.attributes(userId);
  }

  /**
   * Replaces a user's attributes. Names are letters, digits and {@code _} (not {@code username}
   * or {@code role}, which every user has); values are strings.
   *
   * @throws AccessRuleException naming the attribute that is wrong
   */
  public Map<String, String> setAttributes(long userId, JsonNode attributes) {
    Map<String, String> saved = store.setAttributes(userId, checkAttributes(attributes));
    reload();
    return saved;
  }

  /**
   * Checks attributes as {@link #setAttributes} would store them.
   *
   * @throws AccessRuleException naming the attribute that is wrong
   */
  public Map<String, String> checkAttributes(JsonNode attributes) {
    if (attributes == null || !attributes.isObject()) {
      throw new AccessRuleException("attributes", "attributes must be a JSON object of"
          + " name: string value, for example {\"region\": \"EMEA\"}");
    }
    Map<String, String> out = new TreeMap<>();
    for (var it = attributes.fields(); it.hasNext(); ) {
      var e = it.next();
      String where = "attributes." + e.getKey();
      if (!ATTRIBUTE.matcher(e.getKey()).matches()) {
        throw new AccessRuleException(where, "'" + e.getKey() + "' is not an attribute name:"
            + " use 1 to 128 letters, digits or _, starting with a letter or _");
      }
      if (BUILT_IN.contains(e.getKey())) {
        throw new AccessRuleException(where, "'" + e.getKey() + "' is built in ({user."
            + e.getKey() + "} is the user's own); choose another name");
      }
      if (!e.getValue().isTextual()) {
        throw new AccessRuleException(where, "the value of attribute '" + e.getKey()
            + "' must be a string, not " + e.getValue().getNodeType().name()
            .toLowerCase(Locale.ROOT));
      }
      if (e.getValue().asText().length() > MAX_ATTRIBUTE_VALUE) {
        throw new AccessRuleException(where, "the value of attribute '" + e.getKey()
            + "' is longer than " + MAX_ATTRIBUTE_VALUE + " characters");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  // ================================================================== validation

  private List<Filter> validate(RuleInput in) {
    SemanticCatalog c = catalog.get();
    if (in.model() == null || in.model().isBlank()) {
      throw new AccessRuleException("model", "a rule needs the model it protects");
    }
    String model = in.model().trim();
    if (c.model(model).isEmpty()) {
      throw new AccessRuleException("model", "unknown model '" + model + "'"
          + (c.view(model).isPresent() ? ": '" + model + "' is a view; a rule protects a model,"
              + " and applies to every view over it" : ""));
    }
    if (in.filters() == null || !in.filters().isArray() || in.filters().isEmpty()) {
      throw new AccessRuleException("filters", "a rule needs filters: a non-empty list of"
          + " semantic filters such as {\"member\": \"customers.region\", \"operator\":"
          + " \"equals\", \"values\": [\"{user.region}\"]}");
    }
    List<Filter> filters;
    try {
      filters = QueryJson.parse("{\"filters\":" + in.filters() + "}").filters();
    } catch (QueryException e) {
      String loc = e.location() == null ? "filters"
          : LOCATION_PREFIX.matcher(e.location()).replaceFirst("");
      String message = e.getMessage();
      int at = message.lastIndexOf(" (at ");
      throw new AccessRuleException(loc.isEmpty() ? "filters" : loc,
          at > 0 ? message.substring(0, at) : message);
    }
    for (int i = 0; i < filters.size(); i++) {
      validate(filters.get(i), "filters[" + i + "]", model, c);
    }
    checkRoles(in.roles(), true);
    checkUsers(in.users());
    return filters;
  }

  private static void validate(Filter f, String loc, String model, SemanticCatalog c) {
    if (f instanceof Filter.Condition cond) {
      String path = cond.member().trim();
      int dot = path.indexOf('.');
      if (dot <= 0 || c.model(path.substring(0, dot)).isEmpty()) {
        throw new AccessRuleException(loc + ".member", "'" + cond.member() + "' is not a member"
            + " of a model: write model.member (views are not allowed in rules)");
      }
      Optional<Member> m = c.resolve(path);
      if (m.isEmpty()) {
        throw new AccessRuleException(loc + ".member", "unknown member '" + path + "'");
      }
      if (m.get().kind() != MemberKind.DIMENSION) {
        throw new AccessRuleException(loc + ".member", "'" + path + "' is a "
            + m.get().kind().name().toLowerCase(Locale.ROOT) + "; a rule filters rows, so it"
            + " needs a dimension");
      }
      String owner = m.get().model().name();
      if (!owner.equals(model)) {
        var p = c.joinGraph().path(model, owner);
        if (!p.found()) {
          throw new AccessRuleException(loc + ".member", "'" + path + "' is not reachable from"
              + " model '" + model + "': " + p.problem());
        }
      }
      boolean valueless = cond.operator() == FilterOperator.SET
          || cond.operator() == FilterOperator.NOT_SET;
      if (valueless && !cond.values().isEmpty()) {
        throw new AccessRuleException(loc + ".values", "operator '"
            + cond.operator().jsonName() + "' takes no values");
      }
      if (!valueless && cond.values().isEmpty()) {
        throw new AccessRuleException(loc + ".values", "operator '"
            + cond.operator().jsonName() + "' needs at least one value");
      }
      for (int i = 0; i < cond.values().size(); i++) {
        String v = cond.values().get(i);
        if (v == null) {
          throw new AccessRuleException(loc + ".values[" + i + "]", "a value may not be null");
        }
        if ((v.indexOf('{') >= 0 || v.indexOf('}') >= 0) && !PLACEHOLDER.matcher(v).matches()) {
          throw new AccessRuleException(loc + ".values[" + i + "]", "'" + v + "' is not a user"
              + " attribute: write the whole value as {user.<attribute>} ({user.region},"
              + " {user.username}, {user.role}), or a literal value without braces");
        }
      }
      return;
    }
    List<Filter> parts = f instanceof Filter.And a ? a.filters() : ((Filter.Or) f).filters();
    if (parts.isEmpty()) {
      throw new AccessRuleException(loc, "an empty and/or filter");
    }
    String key = f instanceof Filter.And ? ".and[" : ".or[";
    for (int i = 0; i < parts.size(); i++) {
      validate(parts.get(i), loc + key + i + "]", model, c);
    }
  }

  private Kind validate(GrantInput in) {
    Kind kind = in.kind() == null ? null : Kind.parse(in.kind().trim().toLowerCase(Locale.ROOT));
    if (kind == null) {
      throw new AccessRuleException("kind", "unknown kind '" + in.kind()
          + "' (expected model, view, member or data_source)");
    }
    String target = in.target() == null ? "" : in.target().trim();
    if (target.isEmpty()) {
      throw new AccessRuleException("target", "a grant needs a target: the name of the "
          + kind.id().replace('_', ' ') + " it grants");
    }
    SemanticCatalog c = catalog.get();
    boolean exists = switch (kind) {
      case MODEL -> c.model(target).isPresent();
      case VIEW -> c.view(target).isPresent();
      case MEMBER -> target.indexOf('.') > 0
          && c.model(target.substring(0, target.indexOf('.'))).isPresent()
          && c.resolve(target).isPresent();
      case DATA_SOURCE -> dataSources.get().contains(target);
    };
    if (!exists) {
      throw new AccessRuleException("target", "unknown " + kind.id().replace('_', ' ') + " '"
          + target + "'" + (kind == Kind.MEMBER ? " (write model.member of a model)" : ""));
    }
    checkRoles(in.roles(), false);
    checkUsers(in.users());
    return kind;
  }

  private static void checkRoles(List<String> roles, boolean rule) {
    if (roles == null) {
      return;
    }
    for (int i = 0; i < roles.size(); i++) {
      Role r;
      try {
        r = Role.parse(roles.get(i));
      } catch (IllegalArgumentException e) {
        throw new AccessRuleException("roles[" + i + "]", e.getMessage());
      }
      if (r == Role.ADMIN) {
        throw new AccessRuleException("roles[" + i + "]", "admins are exempt from "
            + (rule ? "row-level security rules" : "grants") + " (they see everything);"
            + " list editor or viewer");
      }
    }
  }

  private void checkUsers(List<String> names) {
    if (names == null) {
      return;
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || users.find(name.trim()).isEmpty()) {
        throw new AccessRuleException("users[" + i + "]", "unknown user '" + name + "'");
      }
    }
  }

  private static List<String> clean(List<String> list) {
    if (list == null) {
      return List.of();
    }
    return new ArrayList<>(new LinkedHashSet<>(list.stream().map(String::trim).toList()));
  }

  // ================================================================== snapshot

  /**
   * A token that changes (by identity) whenever rules, grants or attributes are reloaded: what
   * was derived from them (the SQL layer's cached translations) is stale once it does.
   */
  public Object version() {
    return snapshot;
  }

  /** Reloads when another server changed attributes, rules or grants. */
  public void refreshIfChanged() {
    if (store != null && store.revision() != snapshot.revision()) {
      reload();
    }
  }

  /** Reads attributes, rules and grants from the metadata database. */
  public synchronized void reload() {
    if (store == null) {
      return;
    }
    long revision = store.revision();
    Map<String, List<Rule>> rules = new HashMap<>();
    for (StoredRule r : store.rules()) {
      List<Filter> filters;
      try {
        filters = QueryJson.parse("{\"filters\":" + r.filterJson() + "}").filters();
      } catch (QueryException e) {
        // stored rules were valid when saved; one that no longer parses is not skipped (that
        // would show its rows): it names no member, so queries it applies to are refused
        LOG.error("row-level security rule {} does not parse ({}); queries of model '{}' it"
            + " applies to are refused", r.id(), e.getMessage(), r.model());
        filters = List.of(new Filter.And(List.of(
            new Filter.Condition(r.model() + ".__invalid_rule__", FilterOperator.SET, List.of()))));
      }
      rules.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(new Rule(r.id(), r.model(),
          filters, roles(r.roles()), Set.copyOf(r.users())));
    }
    Map<String, List<Grant>> grants = new HashMap<>();
    for (StoredGrant g : store.grants()) {
      grants.computeIfAbsent(g.kind() + ":" + g.target(), k -> new ArrayList<>())
          .add(new Grant(roles(g.roles()), Set.copyOf(g.users())));
    }
    Map<Long, Map<String, String>> attributes = store.allAttributes();
    snapshot = new Snapshot(revision, Map.copyOf(rules), Map.copyOf(grants),
        Map.copyOf(attributes));
  }

  private static Set<Role> roles(List<String> ids) {
    Set<Role> out = new LinkedHashSet<>();
    for (String id : ids) {
      try {
        out.add(Role.parse(id));
      } catch (IllegalArgumentException e) {
        LOG.warn("ignoring unknown role '{}' in a stored rule or grant", id);
      }
    }
    return Set.copyOf(out);
  }
}
