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
import com.fasterxml.jackson.databind.json.JsonMapper;
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
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private QueryJson() {}

  public static SemanticQuery parse(String json) {
    try {
      SemanticQuery q = MAPPER.readValue(json, SemanticQuery.class);
      if (q == null) {
        throw new QueryException(QueryException.Code.MALFORMED_QUERY, null,
            "the query is empty; expected a JSON object");
      }
      return q;
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof StreamReadException cause) {
        throw new QueryException(QueryException.Code.MALFORMED_QUERY, where(e),
            "malformed JSON: " + clean(cause.getOriginalMessage()));
      }
      throw new QueryException(QueryException.Code.MALFORMED_QUERY, where(e),
          clean(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new QueryException(QueryException.Code.MALFORMED_QUERY, where(e),
          "malformed JSON: " + clean(e.getOriginalMessage()));
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

  private static String where(JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    StringBuilder sb = new StringBuilder();
    if (loc != null && loc.getLineNr() > 0) {
      sb.append("line ").append(loc.getLineNr()).append(", column ").append(loc.getColumnNr());
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          path.append('[').append(r.getIndex()).append(']');
        }
      }
      if (path.length() > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(path);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
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
