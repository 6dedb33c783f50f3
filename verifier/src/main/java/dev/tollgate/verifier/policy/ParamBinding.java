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
 *
 * <p>What a placeholder binds is data a fork author may write (a title, a branch name, a commit
 * message), so a bound value is refused when it contains Tekton's variable syntax {@code $(}
 * (Tekton would expand it where the parameter is used) and when it does not match the pattern the
 * policy gives the parameter. Pipelines should still pass parameters to steps through {@code env},
 * never into {@code script}.
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

  /**
   * The bound values, and the parameters that did not bind or were refused.
   *
   * @param unbound each parameter and placeholder that did not resolve to a scalar
   * @param unsafe each parameter whose bound value contains Tekton's {@code $(}
   * @param mismatched each parameter whose bound value does not match its pattern
   */
  public record Bound(
      Map<String, String> values,
      List<String> unbound,
      List<String> unsafe,
      List<String> mismatched) {
    public Bound {
      values = Map.copyOf(values);
      unbound = List.copyOf(unbound);
      unsafe = List.copyOf(unsafe);
      mismatched = List.copyOf(mismatched);
    }
  }

  /** Binds every parameter of {@code template}, with no patterns. */
  public static Bound bind(Map<String, String> template, JsonNode trigger) {
    return bind(template, Map.of(), trigger);
  }

  /**
   * Binds every parameter of {@code template}; a value whose parameter has one of {@code patterns}
   * must match it whole.
   */
  public static Bound bind(
      Map<String, String> template, Map<String, ValuePattern> patterns, JsonNode trigger) {
    Map<String, String> out = new java.util.TreeMap<>();
    List<String> unbound = new ArrayList<>();
    List<String> unsafe = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
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
          if (!ok) {
            return;
          }
          // The whole value, not each bound part: a template's literal "$" followed by a bound
          // "(x)" makes a "$(" too. The template's own text has no "$(" but its placeholders.
          String bound = sb.toString();
          ValuePattern pattern = patterns.get(name);
          if (bound.contains("$(")) {
            unsafe.add(name + " (" + value + ")");
          } else if (pattern != null && !pattern.matches(bound)) {
            mismatched.add(name + " (" + value + " does not match " + pattern.source() + ")");
          } else {
            out.put(name, bound);
          }
        });
    return new Bound(out, unbound, unsafe, mismatched);
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
