package dev.tollgate.verifier.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds pipeline parameters from a trigger, in the manner of Tekton's TriggerBinding: a value is a
 * string with any number of {@code $(body.<path>)} (the webhook payload), {@code $(trigger.<path>)}
 * (the trigger event) and {@code $(params.<name>)} (a scheduled or external trigger's parameters)
 * placeholders. A placeholder that does not resolve to a scalar is an unbound parameter: nothing
 * runs with a guessed value.
 */
public final class ParamBinding {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\$\\((body|trigger|params)\\.([A-Za-z0-9_.-]+)\\)");
  private static final Pattern ANY = Pattern.compile("\\$\\(");

  private ParamBinding() {}

  /** Rejects a value with a placeholder that is not one of the known forms. */
  static void validate(String value) {
    int placeholders = 0;
    Matcher m = PLACEHOLDER.matcher(value);
    while (m.find()) {
      placeholders++;
    }
    int opened = 0;
    Matcher any = ANY.matcher(value);
    while (any.find()) {
      opened++;
    }
    if (opened != placeholders) {
      throw new IllegalArgumentException(
          "'"
              + value
              + "' has a placeholder other than $(body.<path>), $(trigger.<path>),"
              + " $(params.<name>)");
    }
  }

  /** The bound values, or the names of the placeholders that did not bind. */
  public record Bound(Map<String, String> values, List<String> unbound) {}

  /** Binds every parameter of {@code template}. */
  public static Bound bind(Map<String, String> template, JsonNode trigger) {
    Map<String, String> out = new java.util.TreeMap<>();
    List<String> unbound = new ArrayList<>();
    template.forEach(
        (name, value) -> {
          Matcher m = PLACEHOLDER.matcher(value);
          StringBuilder sb = new StringBuilder();
          boolean ok = true;
          while (m.find()) {
            JsonNode root =
                switch (m.group(1)) {
                  case "body" -> trigger.path("payload");
                  case "params" -> trigger.path("parameters");
                  default -> trigger;
                };
            JsonNode v = at(root, m.group(2));
            if (v == null || !v.isValueNode() || v.isNull()) {
              unbound.add(name + " (" + m.group() + ")");
              ok = false;
              m.appendReplacement(sb, "");
            } else {
              m.appendReplacement(sb, Matcher.quoteReplacement(v.asText()));
            }
          }
          m.appendTail(sb);
          if (ok) {
            out.put(name, sb.toString());
          }
        });
    return new Bound(out, unbound);
  }

  private static JsonNode at(JsonNode root, String path) {
    JsonNode n = root;
    for (String part : path.split("\\.", -1)) {
      if (n == null || part.isEmpty()) {
        return null;
      }
      n =
          n.isArray() && part.chars().allMatch(Character::isDigit)
              ? n.get(Integer.parseInt(part))
              : n.get(part);
    }
    return n;
  }
}
