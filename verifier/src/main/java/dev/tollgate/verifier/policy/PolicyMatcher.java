package dev.tollgate.verifier.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.event.TriggerEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Whether a policy's match section applies to a trigger. */
final class PolicyMatcher {
  private static final String HEADS = "refs/heads/";
  private static final String TAGS = "refs/tags/";

  private PolicyMatcher() {}

  static boolean matches(
      TriggerPolicy.Match m,
      TriggerEvent trigger,
      Map<String, Object> asMap,
      Map<String, Object> body) {
    if (!source(m, trigger)) {
      return false;
    }
    if (!m.events().isEmpty() && !m.events().contains(trigger.event())) {
      return false;
    }
    if (!m.actions().isEmpty()
        && (trigger.action() == null || !m.actions().contains(trigger.action()))) {
      return false;
    }
    if (!ref(m, trigger.ref())) {
      return false;
    }
    return m.condition().isEmpty() || m.condition().get().test(asMap, body);
  }

  /** GitHub triggers by repository; schedules by name; external triggers by name and subject. */
  private static boolean source(TriggerPolicy.Match m, TriggerEvent t) {
    switch (t.source()) {
      case SCHEDULE:
        return t.schedule() != null && m.schedules().contains(t.schedule().name());
      case EXTERNAL:
        return t.caller() != null
            && m.callers().stream()
                .anyMatch(
                    c ->
                        c.name().equals(t.caller().name())
                            && c.subject().matches(t.caller().subject()));
      default:
        return t.repository() != null
            && m.repositories().stream().anyMatch(g -> g.matches(t.repository()));
    }
  }

  /** With branches or tags given, the ref must be a matching branch or a matching tag. */
  private static boolean ref(TriggerPolicy.Match m, String ref) {
    if (m.branches().isEmpty() && m.tags().isEmpty()) {
      return true;
    }
    if (ref == null) {
      return false;
    }
    if (ref.startsWith(HEADS)) {
      String branch = ref.substring(HEADS.length());
      return m.branches().stream().anyMatch(g -> g.matches(branch));
    }
    if (ref.startsWith(TAGS)) {
      String tag = ref.substring(TAGS.length());
      return m.tags().stream().anyMatch(g -> g.matches(tag));
    }
    return m.branches().stream().anyMatch(g -> g.matches(ref));
  }

  /** JSON as CEL values: objects as maps, arrays as lists, integers as longs. */
  static Map<String, Object> toMap(JsonNode node) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (node == null || !node.isObject()) {
      return out;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      Object v = value(e.getValue());
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  private static Object value(JsonNode n) {
    if (n.isObject()) {
      return toMap(n);
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonNode x : n) {
        Object v = value(x);
        if (v != null) {
          l.add(v);
        }
      }
      return l;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    return null;
  }
}
