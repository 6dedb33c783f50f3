/**
 * {@code tollgate replay --policies DIR --since TIME}: what another set of trigger policies would
 * have decided on the triggers the ledger recorded, by the verifier's own decider, and what
 * changes. Threat-model rules owned here: <b>a replay creates nothing</b> (no PipelineRun, no
 * event, no approval written anywhere; approvals live in memory for the replay only) and <b>a
 * verification is reused only where it applies</b>: a bundle's recorded verification stands for the
 * new policy only when the decision that carries it verified as the verifier's and the bundle, the
 * trust configuration and the pipeline are the same ({@link
 * dev.tollgate.cli.replay.RecordedVerification}); otherwise the trigger is undetermined, never
 * decided on a guess, and no registry is contacted.
 */
package dev.tollgate.cli.replay;
