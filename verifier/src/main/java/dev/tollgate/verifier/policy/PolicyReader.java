package dev.tollgate.verifier.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.bundle.Yaml;
import dev.tollgate.verifier.engine.PolicyFile;
import dev.tollgate.verifier.engine.VerificationPolicy;
import dev.tollgate.verifier.signature.TrustException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one TriggerPolicy file. Unknown keys are errors (a typo must not silently widen a match or
 * relax a rule); what is left out takes the strict default. Every error names the file, the field
 * and why.
 */
public final class PolicyReader {
  static final String API_VERSION = "tollgate.dev/v1alpha1";
  static final String KIND = "TriggerPolicy";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern PARAM = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,62}");

  private final Path file;
  private final String origin;
  private final Path base;

  private PolicyReader(Path file, String origin, Path base) {
    this.file = file;
    this.origin = origin;
    this.base = base;
  }

  /** Reads and validates the policy in {@code file}; its trust file is loaded too. */
  public static TriggerPolicy read(Path file) throws PolicyException {
    PolicyReader r = new PolicyReader(file, file.toString(), file.toAbsolutePath().getParent());
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw r.error("(file)", "cannot read: " + e.getMessage());
    }
    return r.read(bytes);
  }

  /**
   * Reads and validates a policy that is not a file, such as a ConfigMap key: {@code origin} names
   * it in errors, and its relative trust file resolves against {@code base}.
   */
  public static TriggerPolicy read(String origin, byte[] bytes, Path base) throws PolicyException {
    return new PolicyReader(Path.of(origin), origin, base).read(bytes);
  }

  private TriggerPolicy read(byte[] bytes) throws PolicyException {
    JsonNode root;
    try {
      root = Yaml.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw error("(file)", "not YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw error("(file)", "is not a mapping");
    }
    only(root, "", "apiVersion", "kind", "metadata", "spec");
    if (!API_VERSION.equals(root.path("apiVersion").asText())) {
      throw error("apiVersion", "must be " + API_VERSION);
    }
    if (!KIND.equals(root.path("kind").asText())) {
      throw error("kind", "must be " + KIND);
    }
    JsonNode metadata = root.path("metadata");
    only(metadata, "metadata", "name", "labels", "annotations");
    String name = text(metadata, "metadata.name");
    if (!NAME.matcher(name).matches()) {
      throw error(
          "metadata.name", "must be a DNS label (lower case, digits, '-'), not '" + name + "'");
    }
    JsonNode spec = root.path("spec");
    if (!spec.isObject()) {
      throw error("spec", "missing");
    }
    only(spec, "spec", "mode", "match", "sender", "run", "trust");
    TriggerPolicy.Mode mode = TriggerPolicy.Mode.ENFORCE;
    if (spec.has("mode")) {
      mode =
          enumOf(
              TriggerPolicy.Mode.class, spec.get("mode").asText(), "spec.mode", "enforce, audit");
    }
    TriggerPolicy.Match match = match(spec.path("match"));
    TriggerPolicy.SenderRules sender = sender(spec.path("sender"));
    TriggerPolicy.RunTemplate run = run(spec.path("run"));
    JsonNode trust = spec.path("trust");
    only(trust, "spec.trust", "policyFile");
    String trustFile = text(trust, "spec.trust.policyFile");
    VerificationPolicy verification;
    try {
      verification = PolicyFile.load(base.resolve(trustFile));
    } catch (TrustException e) {
      throw error("spec.trust.policyFile", trustFile + ": " + e.getMessage());
    }
    String version =
        "sha256:"
            + Sha256.hex(
                    (Sha256.hex(bytes) + "\0" + verification.fingerprint())
                        .getBytes(StandardCharsets.UTF_8))
                .substring(0, 16);
    return new TriggerPolicy(name, version, file, mode, match, sender, run, verification);
  }

  private TriggerPolicy.Match match(JsonNode m) throws PolicyException {
    if (!m.isObject()) {
      throw error("spec.match", "missing: a policy that matches everything is not allowed");
    }
    only(
        m,
        "spec.match",
        "repositories",
        "events",
        "actions",
        "branches",
        "tags",
        "schedules",
        "callers",
        "condition");
    List<Glob> repositories = globs(m, "repositories");
    List<String> schedules = strings(m, "spec.match.schedules");
    List<TriggerPolicy.CallerMatch> callers = new ArrayList<>();
    int i = 0;
    for (JsonNode c : m.path("callers")) {
      String where = "spec.match.callers[" + i++ + "]";
      only(c, where, "name", "subject");
      callers.add(
          new TriggerPolicy.CallerMatch(
              text(c, where + ".name"), glob(text(c, where + ".subject"), where + ".subject")));
    }
    if (repositories.isEmpty() && schedules.isEmpty() && callers.isEmpty()) {
      throw error(
          "spec.match", "names no repositories, schedules or callers: it would match nothing");
    }
    Optional<TriggerCondition> condition = Optional.empty();
    if (m.has("condition")) {
      try {
        condition = Optional.of(TriggerCondition.compile(text(m, "spec.match.condition")));
      } catch (IllegalArgumentException e) {
        throw error("spec.match.condition", e.getMessage());
      }
    }
    return new TriggerPolicy.Match(
        repositories,
        strings(m, "spec.match.events"),
        strings(m, "spec.match.actions"),
        globs(m, "branches"),
        globs(m, "tags"),
        schedules,
        callers,
        condition);
  }

  private TriggerPolicy.SenderRules sender(JsonNode s) throws PolicyException {
    only(s, "spec.sender", "minPermission", "requireVerified", "forkPullRequests");
    TriggerPolicy.SenderRules d = TriggerPolicy.SenderRules.strict();
    TriggerEvent.Permission permission = d.minPermission();
    if (s.has("minPermission")) {
      String w = s.get("minPermission").asText();
      permission = null;
      for (TriggerEvent.Permission p : TriggerEvent.Permission.values()) {
        if (p.wire().equals(w)) {
          permission = p;
        }
      }
      if (permission == null) {
        throw error(
            "spec.sender.minPermission",
            "'" + w + "' is not one of admin, maintain, write, triage, read, none");
      }
    }
    boolean verified = d.requireVerified();
    if (s.has("requireVerified")) {
      if (!s.get("requireVerified").isBoolean()) {
        throw error("spec.sender.requireVerified", "must be true or false");
      }
      verified = s.get("requireVerified").asBoolean();
    }
    TriggerPolicy.ForkRule fork = d.forkPullRequests();
    if (s.has("forkPullRequests")) {
      String w = s.get("forkPullRequests").asText();
      if ("deny".equals(w)) {
        fork = TriggerPolicy.ForkRule.DENY;
      } else if (!"okToTest".equals(w)) {
        throw error("spec.sender.forkPullRequests", "'" + w + "' is not one of deny, okToTest");
      }
    }
    return new TriggerPolicy.SenderRules(permission, verified, fork);
  }

  private TriggerPolicy.RunTemplate run(JsonNode r) throws PolicyException {
    if (!r.isObject()) {
      throw error("spec.run", "missing: what runs");
    }
    only(
        r,
        "spec.run",
        "bundle",
        "pipeline",
        "namespace",
        "params",
        "workspaces",
        "timeout",
        "pullSecret");
    String bundle = text(r, "spec.run.bundle");
    if (bundle.contains("$(")) {
      throw error("spec.run.bundle", "is fixed by the policy; it cannot be bound from a trigger");
    }
    String pipeline = text(r, "spec.run.pipeline");
    String namespace = text(r, "spec.run.namespace");
    if (!NAME.matcher(namespace).matches()) {
      throw error("spec.run.namespace", "'" + namespace + "' is not a valid namespace name");
    }
    Map<String, String> params = new LinkedHashMap<>();
    Map<String, ValuePattern> patterns = new LinkedHashMap<>();
    JsonNode p = r.path("params");
    only(p, "spec.run.params");
    for (Map.Entry<String, JsonNode> e : p.properties()) {
      String where = "spec.run.params." + e.getKey();
      if (!PARAM.matcher(e.getKey()).matches()) {
        throw error(where, "is not a valid parameter name");
      }
      // A parameter is its template, or {value: <template>, pattern: <RE2 regex>}.
      JsonNode value = e.getValue();
      if (value.isObject()) {
        only(value, where, "value", "pattern");
        if (value.has("pattern")) {
          JsonNode pattern = value.get("pattern");
          if (!pattern.isTextual()) {
            throw error(where + ".pattern", "must be a string");
          }
          try {
            patterns.put(e.getKey(), ValuePattern.of(pattern.textValue()));
          } catch (IllegalArgumentException bad) {
            throw error(where + ".pattern", bad.getMessage());
          }
        }
        where = where + ".value";
        value = value.path("value");
      }
      if (!value.isValueNode() || value.isNull()) {
        throw error(where, "must be a string");
      }
      try {
        ParamBinding.validate(value.asText());
      } catch (IllegalArgumentException bad) {
        throw error(where, bad.getMessage());
      }
      params.put(e.getKey(), value.asText());
    }
    List<TriggerPolicy.Workspace> workspaces = new ArrayList<>();
    int i = 0;
    for (JsonNode w : r.path("workspaces")) {
      String where = "spec.run.workspaces[" + i++ + "]";
      only(w, where, "name", "kind");
      String kind = w.path("kind").asText("tenantClaim");
      TriggerPolicy.WorkspaceKind k;
      if ("tenantClaim".equals(kind)) {
        k = TriggerPolicy.WorkspaceKind.TENANT_CLAIM;
      } else if ("emptyDir".equals(kind)) {
        k = TriggerPolicy.WorkspaceKind.EMPTY_DIR;
      } else {
        throw error(where + ".kind", "'" + kind + "' is not one of tenantClaim, emptyDir");
      }
      workspaces.add(new TriggerPolicy.Workspace(text(w, where + ".name"), k));
    }
    Optional<Duration> timeout = Optional.empty();
    if (r.has("timeout")) {
      try {
        Duration d = Duration.parse(r.get("timeout").asText());
        if (d.isNegative() || d.isZero()) {
          throw error("spec.run.timeout", "must be positive");
        }
        timeout = Optional.of(d);
      } catch (DateTimeParseException e) {
        throw error("spec.run.timeout", "not an ISO-8601 duration such as PT1H");
      }
    }
    Optional<String> pullSecret = Optional.empty();
    if (r.has("pullSecret")) {
      String name = text(r, "spec.run.pullSecret");
      if (!NAME.matcher(name).matches()) {
        throw error("spec.run.pullSecret", "'" + name + "' is not a valid Secret name");
      }
      pullSecret = Optional.of(name);
    }
    return new TriggerPolicy.RunTemplate(
        bundle, pipeline, namespace, params, patterns, workspaces, timeout, pullSecret);
  }

  private List<Glob> globs(JsonNode m, String field) throws PolicyException {
    List<Glob> out = new ArrayList<>();
    for (String s : strings(m, "spec.match." + field)) {
      out.add(glob(s, "spec.match." + field));
    }
    return out;
  }

  private Glob glob(String s, String where) throws PolicyException {
    try {
      return Glob.of(s);
    } catch (IllegalArgumentException e) {
      throw error(where, e.getMessage());
    }
  }

  private List<String> strings(JsonNode parent, String where) throws PolicyException {
    String field = where.substring(where.lastIndexOf('.') + 1);
    JsonNode n = parent.path(field);
    List<String> out = new ArrayList<>();
    if (n.isMissingNode()) {
      return out;
    }
    if (!n.isArray()) {
      throw error(where, "must be a list");
    }
    for (JsonNode x : n) {
      if (!x.isTextual() || x.asText().isBlank()) {
        throw error(where, "entries are non-empty strings");
      }
      out.add(x.asText());
    }
    return out;
  }

  private String text(JsonNode parent, String where) throws PolicyException {
    String field = where.substring(where.lastIndexOf('.') + 1);
    JsonNode n = parent.path(field);
    if (!n.isTextual() || n.asText().isBlank()) {
      throw error(where, "missing or not a string");
    }
    return n.asText();
  }

  private <E extends Enum<E>> E enumOf(Class<E> type, String value, String where, String allowed)
      throws PolicyException {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw error(where, "'" + value + "' is not one of " + allowed);
    }
  }

  private void only(JsonNode n, String where, String... allowed) throws PolicyException {
    if (n.isMissingNode()) {
      return;
    }
    if (!n.isObject()) {
      throw error(where, "is not a mapping");
    }
    if (allowed.length == 0) {
      return;
    }
    Set<String> ok = Set.of(allowed);
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!ok.contains(f)) {
        throw error(
            where.isEmpty() ? f : where + "." + f,
            "unknown key (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  private PolicyException error(String field, String why) {
    return new PolicyException(origin, field, why);
  }
}
