package dev.tollgate.gateway.report;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Events of one merge-group trigger, as the gateway, verifier and run watch write them. */
final class ReportEvents {

  static final Instant AT = Instant.parse("2026-11-22T09:14:03.512Z");
  static final String DECISION = "dec-" + "0b1c2d3e6b8e11ef8a8e1e2d3c4b5a69";

  private ReportEvents() {}

  static TriggerEvent trigger() {
    return new TriggerEvent(
        GitHubChecksStubs.TRIGGER,
        TriggerEvent.Source.GITHUB,
        AT,
        "merge_group",
        "checks_requested",
        GitHubChecksStubs.REPOSITORY,
        "refs/heads/gh-readonly-queue/main/pr-42-6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        GitHubChecksStubs.SHA,
        GitHubChecksStubs.SHA,
        new TriggerEvent.Sender("octocat", 21031067),
        new TriggerEvent.GitHubDelivery("0b1c2d3e-6b8e-11ef-8a8e-1e2d3c4b5a69", null, 4242L),
        "sha256:" + "5".repeat(64),
        310,
        null,
        true);
  }

  static DecisionEvent denied() {
    return new DecisionEvent(
        DECISION,
        GitHubChecksStubs.TRIGGER,
        DecisionEvent.Outcome.DENIED,
        GitHubChecksStubs.REPOSITORY,
        List.of(
            new Reason(
                "SIGNATURE_MISSING",
                "registry.example/acme/pipelines@sha256:" + "a".repeat(64) + " has no signature",
                "Sign the bundle with cosign sign --key and push the signature.")),
        new DecisionEvent.PolicyRef("merge-queue", "3f1c2a9b8d7e6f50"),
        null,
        AT.plusSeconds(2),
        DecisionEvent.Mode.ENFORCE,
        List.of(),
        null,
        null);
  }

  static DecisionEvent admitted() {
    return new DecisionEvent(
        DECISION,
        GitHubChecksStubs.TRIGGER,
        DecisionEvent.Outcome.ADMITTED,
        GitHubChecksStubs.REPOSITORY,
        List.of(new Reason("BUNDLE_VERIFIED", "the bundle verified", null)),
        new DecisionEvent.PolicyRef("merge-queue", "3f1c2a9b8d7e6f50"),
        new DecisionEvent.PipelineRunRef(
            "team-payments",
            "tollgate-0b1c2d3e",
            "registry.example/acme/pipelines@sha256:" + "a".repeat(64)),
        AT.plusSeconds(2));
  }

  static RunEvent runEnded(RunEvent.Phase phase) {
    return new RunEvent(
        "8d6f0a52-2d1b-4c8e-9a77-0f1e2d3c4b5a",
        RunEvent.Kind.PIPELINE_RUN,
        "team-payments",
        "tollgate-0b1c2d3e",
        phase,
        true,
        GitHubChecksStubs.TRIGGER,
        DECISION,
        Map.of("IMAGE_DIGEST", "sha256:" + "c".repeat(64)),
        null,
        AT.plusSeconds(90),
        null);
  }
}
