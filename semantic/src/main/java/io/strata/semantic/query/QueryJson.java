package io.strata.semantic.query;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link SemanticQuery} JSON. Errors become {@link QueryException}s that say
 * what is wrong and where (line, column and JSON path).
 */
public final class QueryJson {
  public static final ObjectMapper MAPPER = strict(JsonMapper.builder().build());

  private QueryJson() {}

  /**
   * Makes a mapper refuse what Jackson coerces by default, so a client's mistake is an error
   * rather than a silently different request: unknown fields, {@code 1.5} or {@code "10"} for a
   * whole number ({@code limit: 1.5} became 1), numbers or booleans for strings, strings for
   * booleans, and a single value for a list. Used for query JSON and for every request body the
   * server binds.
   */
  public static ObjectMapper strict(ObjectMapper m) {
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS);
    // ["a"] for a string, [1] for a number, [{...}] for an object are not the value itself
    for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float,
        LogicalType.Boolean, LogicalType.Textual, LogicalType.POJO, LogicalType.Map,
        LogicalType.DateTime, LogicalType.Enum, LogicalType.OtherScalar}) {
      m.coercionConfigFor(t).setCoercion(CoercionInputShape.Array, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail);
    }
    m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    m.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
    for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float,
        LogicalType.Boolean, LogicalType.Textual}) {
      m.coercionConfigFor(t)
          .setCoercion(CoercionInputShape.String, t == LogicalType.Textual ? CoercionAction.TryConvert
              : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer || t == LogicalType.Float
              ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, t == LogicalType.Float ? CoercionAction.TryConvert
              : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert
              : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, t == LogicalType.Textual
              ? CoercionAction.TryConvert : CoercionAction.Fail);
    }
    return m;
  }

  /**
   * What is wrong with a JSON document and where: {@code line 1, column 30, measures[0]} (the
   * line and column, then the field's path when there is one), or null.
   */
  public record Problem(String location, String message) {}

  /**
   * A Jackson error as a client should read it: the field's path and what was expected, in plain
   * words, without Java types, class names or Jackson's own phrasing (which leaked as
   * "Cannot deserialize value of type `java.util.ArrayList`" and "For input string").
   */
  public static Problem describe(JsonProcessingException e) {
    Problem p = describeAt(e);
    JsonLocation loc = e.getLocation();
    String where = loc != null && loc.getLineNr() > 0
        ? "line " + loc.getLineNr() + ", column " + loc.getColumnNr() : null;
    String path = path(e);
    if (path != null) {
      where = where == null ? path : where + ", " + path;
    }
    return new Problem(where, p.message());
  }

  private static Problem describeAt(JsonProcessingException e) {
    String path = path(e);
    String at = "";
    String field = path == null ? "the body" : path;
    if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
      List<String> known = new ArrayList<>();
      if (u.getKnownPropertyIds() != null) {
        u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      }
      java.util.Collections.sort(known);
      return new Problem(path, "unknown field '" + u.getPropertyName() + "'"
          + (path == null || !path.contains(".") && !path.contains("[") ? "" : " at " + path)
          + (known.isEmpty() ? "" : " (expected " + String.join(", ", known) + ")") + at);
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
        && m.getTargetType() != null && !isOwnMessage(m)) {
      return new Problem(path, field + " must be " + expected(m.getTargetType())
          + ", not " + actual(m) + at);
    }
    if (e instanceof JsonMappingException m && !(m.getCause() instanceof StreamReadException)
        && !(e.getCause() instanceof NumberFormatException)) {
      String msg = clean(e.getOriginalMessage());
      if (!msg.contains("java.") && !msg.contains("Cannot ") && !msg.contains("`")) {
        return new Problem(path, (path == null ? "" : path + ": ") + msg + at);
      }
      return new Problem(path, field + " has the wrong type or value" + at);
    }
    Throwable syntax = e.getCause() instanceof StreamReadException c ? c : e;
    if (syntax instanceof com.fasterxml.jackson.core.exc.InputCoercionException ic) {
      java.util.regex.Matcher v = java.util.regex.Pattern.compile("Numeric value \\((.*?)\\)")
          .matcher(String.valueOf(ic.getOriginalMessage()));
      String range = ic.getTargetType() == Long.TYPE || ic.getTargetType() == Long.class
          ? Long.MIN_VALUE + " to " + Long.MAX_VALUE : Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
      return new Problem(path, field + " must be a whole number from " + range
          + (v.find() ? ", not " + shorten(v.group(1)) : ""));
    }
    String original = syntax instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getOriginalMessage();
    if (syntax instanceof com.fasterxml.jackson.core.io.JsonEOFException
        || original != null && original.startsWith("Unexpected end-of-input")) {
      return new Problem(path, "malformed JSON: it ends before every object, array or string is closed" + at);
    }
    if (original != null && original.contains("No content to map")) {
      return new Problem(null, "the body is empty; send a JSON object");
    }
    return new Problem(path, "malformed JSON" + at + ": " + clean(original)
        .replaceAll(" \\(code -?\\d+\\)", "")
        .replaceAll("\\s*\\(for [^)]*\\)", "")
        .replaceAll("[;:] ?JSON [Ss]tring.*$", ""));
  }

  /** Messages written by Strata's own deserializers (they say what they want in words). */
  private static boolean isOwnMessage(JsonMappingException m) {
    String msg = m.getOriginalMessage();
    return msg != null && !msg.startsWith("Cannot ") && !msg.contains("`")
        && !msg.contains("java.") && !msg.startsWith("Unexpected token");
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class || type == short.class || type == java.math.BigInteger.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == String.class || type == Character.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (type.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object c : type.getEnumConstants()) {
        names.add(c.toString());
      }
      return "one of " + String.join(", ", names);
    }
    return "an object";
  }

  private static String actual(com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
    if (m instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f && f.getValue() != null) {
      Object v = f.getValue();
      return v instanceof String ? "the string \"" + shorten(v.toString()) + "\"" : shorten(v.toString());
    }
    // Jackson names what it found in its message: "from String value ("10")", "from Array value"
    java.util.regex.Matcher found = java.util.regex.Pattern
        .compile("(?:from|coerce) (Array|Object|String|Integer|Floating-point|Boolean|Null) value(?: \\((.*?)\\))?")
        .matcher(String.valueOf(m.getOriginalMessage()));
    if (found.find()) {
      String v = found.group(2);
      return switch (found.group(1)) {
        case "Array" -> "an array";
        case "Object" -> "an object";
        case "Null" -> "null";
        case "String" -> v == null || v.startsWith("token") ? "a string"
            : "the string \"" + shorten(v.replaceAll("^[\"']|[\"']$", "")) + "\"";
        default -> v == null || v.startsWith("token") ? "a " + found.group(1).toLowerCase(java.util.Locale.ROOT)
            .replace("floating-point", "number").replace("integer", "number") : shorten(v);
      };
    }
    if (!(m.getProcessor() instanceof JsonParser p) || p.currentToken() == null) {
      return "that value";
    }
    try {
      return switch (p.currentToken()) {
        case START_ARRAY, END_ARRAY -> "an array";
        case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
        case VALUE_STRING -> "the string \"" + shorten(p.getText()) + "\"";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> shorten(p.getText());
        case VALUE_TRUE -> "true";
        case VALUE_FALSE -> "false";
        case VALUE_NULL -> "null";
        default -> "that value";
      };
    } catch (IOException e) {
      return "that value";
    }
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** The JSON path of the error ({@code timeDimensions[0].dateRange}), or null at the top. */
  private static String path(JsonProcessingException e) {
    if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) {
      return null;
    }
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : m.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? null : path.toString();
  }

  public static SemanticQuery parse(String json) {
    try {
      SemanticQuery q = MAPPER.readValue(json, SemanticQuery.class);
      if (q == null) {
        throw new QueryException(QueryException.Code.MALFORMED_QUERY, null,
            "the query is empty; expected a JSON object");
      }
      return q;
    } catch (JsonProcessingException e) {
      Problem p = describe(e);
      throw new QueryException(QueryException.Code.MALFORMED_QUERY, p.location(), p.message());
    }
  }

  /** Jackson's messages without class names and source excerpts. */
  private static String clean(String message) {
    return message
        .replaceAll(" \\(class [^)]*\\)", "")
        .replaceAll(",? ?not marked as ignorable.*", "")
        .replaceAll(" \\(start marker at \\[Source:.*", "")
        .replaceAll("\\s*at \\[Source:.*", "")
        .replace("io.strata.semantic.query.", "")
        .trim();
  }

  public static SemanticQuery parse(JsonNode node) {
    return parse(node.toString());
  }


  private static String text(JsonNode n, JsonParser p, String what) throws JsonMappingException {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isValueNode()) {
      throw JsonMappingException.from(p, what + " must be a string");
    }
    return n.asText();
  }

  /** {@code "order": {"orders.count": "desc"}} or {@code [["orders.count", "desc"]]}. */
  public static final class OrderDeserializer extends JsonDeserializer<List<SemanticQuery.Order>> {
    @Override
    public List<SemanticQuery.Order> deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      JsonNode node = ctxt.readTree(p);
      List<SemanticQuery.Order> out = new ArrayList<>();
      if (node.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          out.add(new SemanticQuery.Order(e.getKey(), direction(e.getValue().asText(), p)));
        }
      } else if (node.isArray()) {
        for (JsonNode item : node) {
          if (!item.isArray() || item.size() != 2) {
            throw JsonMappingException.from(p,
                "each order entry must be [member, \"asc\" | \"desc\"]");
          }
          out.add(new SemanticQuery.Order(item.get(0).asText(),
              direction(item.get(1).asText(), p)));
        }
      } else {
        throw JsonMappingException.from(p,
            "order must be an object {member: \"asc\"|\"desc\"} or a list of [member, direction]");
      }
      return out;
    }

    private static boolean direction(String text, JsonParser p) throws JsonMappingException {
      if ("desc".equalsIgnoreCase(text)) {
        return true;
      }
      if ("asc".equalsIgnoreCase(text)) {
        return false;
      }
      throw JsonMappingException.from(p, "order direction must be \"asc\" or \"desc\", not \""
          + text + "\"");
    }
  }

  /** {@code ["2024-01-01", "2024-01-31"]} or {@code "last 7 days"}. */
  public static final class DateRangeDeserializer extends JsonDeserializer<DateRange> {
    @Override
    public DateRange deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode node = ctxt.readTree(p);
      if (node.isTextual()) {
        return DateRange.relative(node.asText());
      }
      if (node.isArray() && node.size() == 2 && node.get(0).isTextual()
          && node.get(1).isTextual()) {
        return DateRange.of(node.get(0).asText(), node.get(1).asText());
      }
      throw JsonMappingException.from(p,
          "dateRange must be [from, to] as two date strings or a relative range such as \"last 7 days\"");
    }
  }

  /** A condition {@code {member, operator, values}} or {@code {and: [...]}} / {@code {or: [...]}}. */
  public static final class FilterDeserializer extends JsonDeserializer<Filter> {
    @Override
    public Filter deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return read(ctxt.readTree(p), p);
    }

    private Filter read(JsonNode node, JsonParser p) throws JsonMappingException {
      if (!node.isObject()) {
        throw JsonMappingException.from(p, "a filter must be an object");
      }
      if (node.has("and") || node.has("or")) {
        String key = node.has("and") ? "and" : "or";
        if (node.size() != 1 || !node.get(key).isArray()) {
          throw JsonMappingException.from(p, "an '" + key
              + "' filter must be {\"" + key + "\": [filters...]} and nothing else");
        }
        List<Filter> parts = new ArrayList<>();
        for (JsonNode child : node.get(key)) {
          parts.add(read(child, p));
        }
        return key.equals("and") ? new Filter.And(parts) : new Filter.Or(parts);
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("member") && !f.equals("dimension") && !f.equals("operator")
            && !f.equals("values")) {
          throw JsonMappingException.from(p, "unknown filter field '" + f
              + "' (expected member, operator, values, or and/or)");
        }
      }
      String member = text(node.has("member") ? node.get("member") : node.get("dimension"), p,
          "member");
      if (member == null) {
        throw JsonMappingException.from(p, "a filter needs 'member'");
      }
      String opText = text(node.get("operator"), p, "operator");
      FilterOperator op = FilterOperator.fromJson(opText);
      if (op == null) {
        List<String> names = new ArrayList<>();
        for (FilterOperator o : FilterOperator.values()) {
          names.add(o.jsonName());
        }
        throw JsonMappingException.from(p, "unknown filter operator '" + opText + "' on "
            + member + " (expected one of " + String.join(", ", names) + ")");
      }
      List<String> values = new ArrayList<>();
      JsonNode v = node.get("values");
      if (v != null && !v.isNull()) {
        if (!v.isArray()) {
          throw JsonMappingException.from(p, "'values' of the filter on " + member
              + " must be a list");
        }
        for (JsonNode x : v) {
          values.add(x.isNull() ? null : x.asText());
        }
      }
      return new Filter.Condition(member, op, values);
    }
  }
}
