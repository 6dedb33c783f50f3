package dev.tollgate.ledger.watch;

/**
 * What the run watch counts, once per run: runs no admitting decision accounts for, runs Tekton
 * resolved from a digest their decision did not pin (also counted as unadmitted), and finished runs
 * whose resolution could not be checked.
 *
 * @param unadmitted a run found unadmitted
 * @param resolutionMismatch a run resolved from an unpinned digest
 * @param resolutionUnverified a finished run without a sha256 {@code refSource}
 */
public record RunWatchCounters(
    Runnable unadmitted, Runnable resolutionMismatch, Runnable resolutionUnverified) {}
