package dev.tollgate.ledger.watch;

import dev.tollgate.schemas.event.RunEvent.Resolution;
import java.util.Optional;

/**
 * Compares what Tekton says it resolved a run from with what its admitting decision pinned: the
 * watch's half of "admit only what was pinned". Pure: the run's observed state and its admission
 * in, the resolution a run event states out.
 *
 * <ul>
 *   <li>No admitting decision: nothing to compare (the run is unadmitted already).
 *   <li>No {@code refSource} yet and the run still running: empty, Tekton may not have resolved it.
 *   <li>A sha256 digest among the pinned ones: {@link Resolution.Result#MATCHES}.
 *   <li>Another sha256 digest: {@link Resolution.Result#MISMATCH}; what ran is not what was
 *       verified, and the watch counts the run as unadmitted.
 *   <li>Finished without a sha256 {@code refSource} (Tekton's {@code enable-provenance-in-status}
 *       off, or a resolver that records no sha256 digest): {@link Resolution.Result#UNVERIFIED},
 *       never taken for a mismatch (nothing says another digest ran) nor for a match.
 * </ul>
 */
public final class ResolutionCheck {

  private ResolutionCheck() {}

  /** The resolution the run's events state, or empty while there is none to state. */
  public static Optional<Resolution> check(RunState run, Admission admission) {
    if (!admission.admitted() || admission.pinnedDigests().isEmpty()) {
      return Optional.empty();
    }
    Optional<ResolvedSource> resolved = run.resolved();
    if (resolved.isEmpty() || resolved.get().digest() == null) {
      if (run.outcome().isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new Resolution(
              Resolution.Result.UNVERIFIED,
              resolved.map(ResolvedSource::uri).orElse(null),
              null,
              resolved.map(ResolvedSource::entryPoint).orElse(null),
              admission.pinnedDigests(),
              resolved.isEmpty()
                  ? "the "
                      + run.type().kind()
                      + " finished and Tekton recorded no status.provenance.refSource; turn on"
                      + " Tekton's enable-provenance-in-status feature flag so the ledger can check"
                      + " what ran"
                  : "Tekton recorded a refSource without a sha256 digest; what ran cannot be"
                      + " compared with what was pinned"));
    }
    ResolvedSource source = resolved.get();
    if (admission.pinnedDigests().contains(source.digest())) {
      return Optional.of(
          new Resolution(
              Resolution.Result.MATCHES,
              source.uri(),
              source.digest(),
              source.entryPoint(),
              admission.pinnedDigests(),
              null));
    }
    return Optional.of(
        new Resolution(
            Resolution.Result.MISMATCH,
            source.uri(),
            source.digest(),
            source.entryPoint(),
            admission.pinnedDigests(),
            "Tekton resolved "
                + (source.uri() == null ? "" : source.uri())
                + "@"
                + source.digest()
                + (source.entryPoint() == null ? "" : " (" + source.entryPoint() + ")")
                + ", which decision "
                + admission.decisionId()
                + " did not pin (it pinned "
                + String.join(", ", admission.pinnedDigests())
                + "): what ran is not what was verified"));
  }
}
