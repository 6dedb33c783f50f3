/**
 * The verification report: every check with its outcome, evidence, reason code and remediation, and
 * the catalog of check names. Threat-model rule owned here: <b>the verdict follows from the
 * checks</b> (a report cannot claim verified with a failed or erroring check, or verified without a
 * pinned digest).
 */
package dev.tollgate.verifier.report;
