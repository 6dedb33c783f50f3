package dev.tollgate.cli.policytest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.bundle.Yaml;
import dev.tollgate.verifier.policy.PolicyException;
import dev.tollgate.verifier.policy.PolicyReader;
import dev.tollgate.verifier.policy.TriggerPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A policy test, {@code tollgate-test.yaml} in the test directory: the TriggerPolicy files in force
 * (each names its own trust configuration, which is read and checked with it), and the tests, each
 * a trigger (a {@code TriggerEvent} JSON file as the gateway writes it), what the decider is given
 * besides it, and the decision it expects. Paths are relative to the manifest. Unknown keys are
 * errors, so a typo cannot turn an expectation off.
 *
 * <pre>
 * apiVersion: tollgate.dev/v1alpha1
 * kind: PolicyTest
 * metadata: {name: release-policies}
 * policies: [policies/release.yaml]
 * tests:
 *   - name: push-to-main-admitted
 *     trigger: triggers/push-main.json
 *     verification: {pinned: ...@sha256:..., checks: [{check: bundle.resolve, outcome: passed}]}
 *     approvals: {"acme/payments#12": 0123abc...}   # optional: /ok-to-test approvals in force
 *     now: 2026-11-22T09:14:04Z                      # optional: a second after the trigger
 *     expect: {outcome: admitted, policy: release, reasons: [BUNDLE_VERIFIED]}
 * </pre>
 */
public record TestManifest(Path file, String name, List<TriggerPolicy> policies, List<Case> tests) {

  /** The manifest's file name in a test directory. */
  public static final String FILE_NAME = "tollgate-test.yaml";

  static final String API_VERSION = "tollgate.dev/v1alpha1";
  static final String KIND = "PolicyTest";

  public TestManifest {
    policies = List.copyOf(policies);
    tests = List.copyOf(tests);
  }

  /**
   * One test: its trigger, the decider's clock, the approvals in force and the bundle's declared
   * verification, and the expected decision.
   */
  public record Case(
      String name,
      Path triggerFile,
      TriggerEvent trigger,
      Instant now,
      Map<String, String> approvals,
      Optional<JsonNode> verification,
      Expectation expect) {
    public Case {
      approvals = Map.copyOf(approvals);
    }
  }

  /** Reads the manifest of {@code dirOrFile} (a test directory, or the manifest itself). */
  public static TestManifest read(Path dirOrFile) throws ManifestException {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
    if (!Files.isRegularFile(file)) {
      throw new ManifestException(
          "no test manifest: "
              + file
              + " does not exist (a test directory holds "
              + FILE_NAME
              + ")");
    }
    Path base = file.toAbsolutePath().getParent();
    JsonNode root;
    try {
      root = Yaml.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new ManifestException(file + ": not YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ManifestException(file + ": is not a mapping");
    }
    String at = file.toString();
    DeclaredVerification.unknownKeys(
        root, Set.of("apiVersion", "kind", "metadata", "policies", "tests"), at);
    if (!API_VERSION.equals(root.path("apiVersion").asText())) {
      throw new ManifestException(at + ".apiVersion: must be " + API_VERSION);
    }
    if (!KIND.equals(root.path("kind").asText())) {
      throw new ManifestException(at + ".kind: must be " + KIND);
    }
    DeclaredVerification.unknownKeys(root.path("metadata"), Set.of("name"), at + ".metadata");
    String name = root.path("metadata").path("name").asText(base.getFileName().toString());

    List<TriggerPolicy> policies = new ArrayList<>();
    JsonNode policyFiles = root.path("policies");
    if (!policyFiles.isArray() || policyFiles.isEmpty()) {
      throw new ManifestException(at + ".policies: a list of TriggerPolicy files");
    }
    for (JsonNode p : policyFiles) {
      Path policyFile = base.resolve(p.asText());
      try {
        policies.add(PolicyReader.read(policyFile));
      } catch (PolicyException e) {
        throw new ManifestException("policy " + p.asText() + " does not read: " + e.getMessage());
      }
    }

    JsonNode list = root.path("tests");
    if (!list.isArray() || list.isEmpty()) {
      throw new ManifestException(at + ".tests: at least one test");
    }
    List<Case> tests = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode t : list) {
      String where = at + ".tests[" + i++ + "]";
      Case c = testCase(t, where, base);
      if (!names.add(c.name())) {
        throw new ManifestException(where + ".name: '" + c.name() + "' is used twice");
      }
      tests.add(c);
    }
    return new TestManifest(file, name, policies, tests);
  }

  private static Case testCase(JsonNode t, String where, Path base) throws ManifestException {
    if (!t.isObject()) {
      throw new ManifestException(where + ": a mapping of name, trigger, expect, ...");
    }
    DeclaredVerification.unknownKeys(
        t, Set.of("name", "trigger", "now", "approvals", "verification", "expect"), where);
    String name = t.path("name").asText("");
    if (name.isBlank()) {
      throw new ManifestException(where + ".name: every test has a name");
    }
    String triggerPath = t.path("trigger").asText("");
    if (triggerPath.isBlank()) {
      throw new ManifestException(where + ".trigger: the trigger's JSON file");
    }
    Path triggerFile = base.resolve(triggerPath);
    TriggerEvent trigger;
    try {
      trigger = Json.read(Files.readAllBytes(triggerFile), TriggerEvent.class);
    } catch (IOException e) {
      throw new ManifestException(where + ".trigger: cannot read " + triggerFile);
    } catch (MalformedJsonException e) {
      throw new ManifestException(
          where + ".trigger: " + triggerPath + " is not a trigger event: " + e.getMessage());
    }
    Instant now = trigger.receivedAt().plusSeconds(1);
    if (t.has("now")) {
      try {
        now = Instant.parse(t.path("now").asText());
      } catch (DateTimeParseException e) {
        throw new ManifestException(where + ".now: an instant such as 2026-11-22T09:14:04Z");
      }
    }
    Map<String, String> approvals = new LinkedHashMap<>();
    JsonNode given = t.path("approvals");
    if (!given.isMissingNode()) {
      if (!given.isObject()) {
        throw new ManifestException(where + ".approvals: owner/repo#number: approved head SHA");
      }
      given.properties().forEach(e -> approvals.put(e.getKey(), e.getValue().asText()));
    }
    Optional<JsonNode> verification = Optional.empty();
    if (t.has("verification")) {
      DeclaredVerification.of(t.get("verification"), where + ".verification");
      verification = Optional.of(t.get("verification"));
    }
    return new Case(
        name,
        triggerFile,
        trigger,
        now,
        approvals,
        verification,
        expectation(t.path("expect"), where + ".expect"));
  }

  private static Expectation expectation(JsonNode e, String where) throws ManifestException {
    if (!e.isObject()) {
      throw new ManifestException(where + ": the expected decision (outcome, reasons, ...)");
    }
    DeclaredVerification.unknownKeys(
        e,
        Set.of("outcome", "policy", "mode", "reasons", "violations", "pinnedBundle", "params"),
        where);
    String outcome = e.path("outcome").asText("");
    if (!Expectation.OUTCOMES.contains(outcome)) {
      throw new ManifestException(
          where + ".outcome: '" + outcome + "' is not one of " + Expectation.OUTCOMES);
    }
    Optional<Optional<String>> policy =
        e.has("policy")
            ? Optional.of(
                e.get("policy").isNull() ? Optional.empty() : Optional.of(e.get("policy").asText()))
            : Optional.empty();
    Optional<Map<String, String>> params = Optional.empty();
    if (e.has("params")) {
      if (!e.get("params").isObject()) {
        throw new ManifestException(where + ".params: a mapping of parameter to value");
      }
      Map<String, String> values = new LinkedHashMap<>();
      e.get("params").properties().forEach(p -> values.put(p.getKey(), p.getValue().asText()));
      params = Optional.of(values);
    }
    return new Expectation(
        outcome,
        policy,
        e.has("mode") ? Optional.of(e.get("mode").asText()) : Optional.empty(),
        codes(e, "reasons", where),
        codes(e, "violations", where),
        e.has("pinnedBundle") ? Optional.of(e.get("pinnedBundle").asText()) : Optional.empty(),
        params);
  }

  private static Optional<List<String>> codes(JsonNode e, String field, String where)
      throws ManifestException {
    if (!e.has(field)) {
      return Optional.empty();
    }
    JsonNode list = e.get(field);
    if (!list.isArray()) {
      throw new ManifestException(where + "." + field + ": a list of reason codes");
    }
    List<String> codes = new ArrayList<>();
    list.forEach(c -> codes.add(c.asText()));
    return Optional.of(codes);
  }
}
