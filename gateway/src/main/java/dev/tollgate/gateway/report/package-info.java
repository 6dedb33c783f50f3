/**
 * Decisions reported where developers look: a check run (GitHub App) or commit status (token) on
 * the commit a trigger is about, queued when the trigger is accepted, completed with the decision,
 * updated again with the run's outcome. Threat-model rules owned here: <b>only authenticated events
 * are reported</b> (a decision or run event is shown on a commit only after its signature verifies
 * under the verifier's or run watch's trusted keys, and a ledger seq only from a ledger record
 * whose signature verifies under a trusted ledger key) and <b>feedback never decides</b> (a GitHub
 * failure is retried with backoff and counted, across restarts; it never blocks, delays or changes
 * a decision).
 */
package dev.tollgate.gateway.report;
