package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the run watch saw a PipelineRun or TaskRun do ({@code run.v1.schema.json}).
 *
 * <p>{@code resolution} (optional, added later) is what Tekton says it resolved the run's pipeline
 * or task from, compared with the digests its admitting decision pinned; null while Tekton has not
 * resolved it yet, and for runs no decision admitted.
 */
public record RunEvent(
    String runUid,
    Kind kind,
    String namespace,
    String name,
    Phase phase,
    boolean admitted,
    String triggerId,
    String decisionId,
    Map<String, String> results,
    Boolean chainsSigned,
    Instant observedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) Resolution resolution) {

  public RunEvent {
    Fields.require(runUid, "runUid");
    Fields.require(kind, "kind");
    Fields.require(namespace, "namespace");
    Fields.require(name, "name");
    Fields.require(phase, "phase");
    Fields.optional(triggerId, Fields.TRIGGER_ID, "triggerId");
    Fields.optional(decisionId, Fields.DECISION_ID, "decisionId");
    Fields.require(observedAt, "observedAt");
    results = results == null ? Map.of() : Map.copyOf(results);
    if (admitted && resolution != null && resolution.result() == Resolution.Result.MISMATCH) {
      throw new IllegalArgumentException(
          "a run Tekton resolved from an unpinned digest is unadmitted");
    }
  }

  /**
   * What Tekton recorded resolving the run from ({@code status.provenance.refSource}), checked
   * against the digests the admitting decision pinned.
   *
   * @param result whether it matches
   * @param uri {@code refSource.uri}: the repository the bundle resolver pulled, or null
   * @param digest {@code sha256:} and {@code refSource.digest.sha256}, or null when Tekton recorded
   *     none
   * @param entryPoint {@code refSource.entryPoint}: the resource's name in the bundle, or null
   * @param admittedDigests the digests the admitting decision pinned (the pipeline bundle first)
   * @param why for a mismatch or an unverified resolution: what differs or is missing
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Resolution(
      Result result,
      String uri,
      String digest,
      String entryPoint,
      List<String> admittedDigests,
      String why) {

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public Resolution {
      Fields.require(result, "resolution.result");
      admittedDigests = admittedDigests == null ? List.of() : List.copyOf(admittedDigests);
      if (admittedDigests.isEmpty()) {
        throw new IllegalArgumentException("resolution.admittedDigests names at least one digest");
      }
      for (String admitted : admittedDigests) {
        if (!DIGEST.matcher(admitted).matches()) {
          throw new IllegalArgumentException("resolution.admittedDigests[] is sha256:<hex>");
        }
      }
      if (digest != null && !DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("resolution.digest is sha256:<hex>");
      }
      if (result == Result.MATCHES) {
        if (digest == null || why != null) {
          throw new IllegalArgumentException("a matching resolution names its digest and no why");
        }
      } else if (why == null || why.isEmpty()) {
        throw new IllegalArgumentException("a resolution that does not match says why");
      }
      if (result == Result.MISMATCH && digest == null) {
        throw new IllegalArgumentException("a mismatching resolution names the digest Tekton used");
      }
    }

    /** How what Tekton resolved compares with what was admitted. */
    public enum Result {
      /** Tekton resolved exactly a digest the decision pinned. */
      MATCHES("matches"),
      /** Tekton resolved another digest: what ran is not what was verified. */
      MISMATCH("mismatch"),
      /**
       * The run finished and Tekton recorded no sha256 refSource (Tekton's {@code
       * enable-provenance-in-status} off, or a resolver that records none): cannot be checked.
       */
      UNVERIFIED("unverified");

      private final String wire;

      Result(String wire) {
        this.wire = wire;
      }

      @JsonValue
      public String wire() {
        return wire;
      }
    }
  }

  /** The Tekton resource kind. */
  public enum Kind {
    PIPELINE_RUN("PipelineRun"),
    TASK_RUN("TaskRun");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** Where the run is in its life. */
  public enum Phase {
    STARTED("started"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String wire;

    Phase(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }
}
