package dev.tollgate.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.policy.PolicyException;
import dev.tollgate.verifier.policy.PolicyReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A recorded history of four triggers, each with the decision the verifier made on it under the
 * policy {@code release} (src/test/resources/replay/same):
 *
 * <ul>
 *   <li>{@link #DENIED}: a push to acme/payments main, denied SIGNATURE_MISSING (bundle unsigned);
 *   <li>{@link #IGNORED}: a push to octo-org/unrelated, ignored NO_MATCHING_POLICY;
 *   <li>{@link #FORGED}: an unsigned trigger record, error TRIGGER_SIGNATURE_INVALID;
 *   <li>{@link #ADMITTED}: a push to acme/payments main, admitted (bundle verified), and its run.
 * </ul>
 */
public final class Recordings {

  public static final String DENIED = "github:f9b2a3c0-6b8e-11ef-8a8e-1e2d3c4b5a69";
  public static final String IGNORED = "github:0b7c1a3e-6b8e-11ef-8a8e-1e2d3c4b5a69";
  public static final String FORGED = "github:2d9e3c50-6b8e-11ef-8a8e-1e2d3c4b5a69";
  public static final String ADMITTED = "github:3eaf4d61-6b8e-11ef-8a8e-1e2d3c4b5a69";

  public static final String BUNDLE = "registry.example/acme/pipelines:v1";
  public static final String PINNED = "registry.example/acme/pipelines@sha256:" + "a".repeat(64);

  private static final Instant DECIDED = Instant.parse("2026-11-22T09:14:05Z");

  private Recordings() {}

  /** The ledger of the four triggers, their decisions and the admitted one's run. */
  public static TestLedger ledger() {
    return ledger(new TestLedger());
  }

  /**
   * The same ledger as the ledger writes it with its default seal list: each trigger's webhook body
   * ({@code /payload}) sealed into the sealed store in {@code sealedStore}, its record holding the
   * commitment.
   */
  public static TestLedger sealedLedger(Path sealedStore) {
    return ledger(new TestLedger().sealingTriggersInto(sealedStore));
  }

  /**
   * The sealed store's file of the part sealed at {@code /payload} of {@code triggerId}'s record in
   * {@code ledger}.
   */
  public static Path sealedPart(TestLedger ledger, Path sealedStore, String triggerId)
      throws MalformedJsonException {
    for (byte[] value : ledger.records()) {
      JsonNode record = Json.readTree(value);
      if (record.path("kind").asText().equals("trigger")
          && record.path("eventId").asText().equals(triggerId)) {
        String commitment = record.path("sealed").path(0).path("commitment").asText();
        return sealedStore.resolve(commitment.substring("sha256:".length()) + ".json");
      }
    }
    throw new IllegalArgumentException("no trigger record of " + triggerId);
  }

  private static TestLedger ledger(TestLedger empty) {
    try {
      String trust =
          PolicyReader.read(Run.resource("replay/same/release.yaml")).trust().fingerprint();
      JsonNode push = trigger("push-main.json", DENIED);
      JsonNode unrelated = trigger("push-unrelated.json", IGNORED);
      JsonNode forged = trigger("push-main.json", FORGED);
      JsonNode admitted = trigger("push-main.json", ADMITTED);
      DecisionEvent.PolicyRef release =
          new DecisionEvent.PolicyRef("release", "sha256:0123456789abcdef");
      return empty
          .trigger(push, TestLedger.Signed.VERIFIED)
          .decision(
              Json.toTree(
                  new DecisionEvent(
                      Ids.decision(DENIED),
                      DENIED,
                      DecisionEvent.Outcome.DENIED,
                      "acme/payments",
                      List.of(signatureMissing()),
                      release,
                      null,
                      DECIDED,
                      DecisionEvent.Mode.ENFORCE,
                      List.of(signatureMissing()),
                      new DecisionEvent.Verification(
                          BUNDLE,
                          PINNED,
                          DecisionEvent.Verification.Verdict.DENIED,
                          DECIDED,
                          trust,
                          false,
                          List.of(
                              resolved(),
                              new DecisionEvent.Check(
                                  "bundle.signature",
                                  "bundle " + PINNED,
                                  DecisionEvent.CheckOutcome.FAILED,
                                  "SIGNATURE_MISSING",
                                  "no signature found for " + PINNED,
                                  "Sign the artifact by digest.",
                                  Map.of()))),
                      null)))
          .trigger(unrelated, TestLedger.Signed.VERIFIED)
          .decision(
              Json.toTree(
                  new DecisionEvent(
                      Ids.decision(IGNORED),
                      IGNORED,
                      DecisionEvent.Outcome.IGNORED,
                      "octo-org/unrelated",
                      List.of(
                          new Reason(
                              "NO_MATCHING_POLICY",
                              "No policy matches push to octo-org/unrelated",
                              "Add a TriggerPolicy")),
                      null,
                      null,
                      DECIDED)))
          .trigger(forged, TestLedger.Signed.UNSIGNED)
          .decision(
              Json.toTree(
                  new DecisionEvent(
                      Ids.decision(FORGED),
                      FORGED,
                      DecisionEvent.Outcome.ERROR,
                      null,
                      List.of(
                          new Reason(
                              "TRIGGER_SIGNATURE_INVALID",
                              "The trigger record was not written by the gateway: it is unsigned",
                              "Find who else writes to the triggers topic")),
                      null,
                      null,
                      DECIDED)))
          .trigger(admitted, TestLedger.Signed.VERIFIED)
          .decision(
              Json.toTree(
                  new DecisionEvent(
                      Ids.decision(ADMITTED),
                      ADMITTED,
                      DecisionEvent.Outcome.ADMITTED,
                      "acme/payments",
                      List.of(
                          new Reason(
                              "BUNDLE_VERIFIED",
                              "Bundle " + PINNED + " verified: 3 checks passed",
                              null)),
                      release,
                      new DecisionEvent.PipelineRunRef(
                          "team-payments", "tollgate-3eaf4d61", PINNED),
                      DECIDED,
                      DecisionEvent.Mode.ENFORCE,
                      List.of(),
                      new DecisionEvent.Verification(
                          BUNDLE,
                          PINNED,
                          DecisionEvent.Verification.Verdict.VERIFIED,
                          DECIDED,
                          trust,
                          false,
                          List.of(
                              resolved(),
                              new DecisionEvent.Check(
                                  "bundle.signature",
                                  "bundle " + PINNED,
                                  DecisionEvent.CheckOutcome.PASSED,
                                  "VERIFIED",
                                  "signed by k",
                                  null,
                                  Map.of()),
                              new DecisionEvent.Check(
                                  "bundle.pipeline",
                                  PINNED,
                                  DecisionEvent.CheckOutcome.PASSED,
                                  "VERIFIED",
                                  "the bundle holds Pipeline 'release'",
                                  null,
                                  Map.of("pipeline", "release")))),
                      null)))
          .run(
              Json.toTree(
                  new RunEvent(
                      "4f0b5e72-0000-4000-8000-000000000001",
                      RunEvent.Kind.PIPELINE_RUN,
                      "team-payments",
                      "tollgate-3eaf4d61",
                      RunEvent.Phase.SUCCEEDED,
                      true,
                      ADMITTED,
                      Ids.decision(ADMITTED),
                      Map.of(),
                      null,
                      Instant.parse("2026-11-22T09:20:00Z"),
                      null)));
    } catch (PolicyException | IOException | MalformedJsonException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Reason signatureMissing() {
    return new Reason(
        "SIGNATURE_MISSING",
        "bundle.signature · bundle " + PINNED + ": no signature found",
        "Sign the artifact by digest.");
  }

  private static DecisionEvent.Check resolved() {
    return new DecisionEvent.Check(
        "bundle.resolve",
        "bundle " + BUNDLE,
        DecisionEvent.CheckOutcome.PASSED,
        "VERIFIED",
        "tag v1 resolved to " + PINNED,
        null,
        Map.of());
  }

  /** A trigger fixture of src/test/resources/policy-test/triggers under another trigger id. */
  private static JsonNode trigger(String file, String triggerId)
      throws IOException, MalformedJsonException {
    ObjectNode t =
        (ObjectNode)
            Json.readTree(Files.readAllBytes(Run.resource("policy-test/triggers/" + file)));
    String delivery = triggerId.substring("github:".length());
    t.put("triggerId", triggerId);
    ((ObjectNode) t.path("github")).put("deliveryId", delivery);
    return t;
  }
}
