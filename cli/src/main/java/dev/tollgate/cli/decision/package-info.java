/**
 * A decision in the form people compare and read: {@link dev.tollgate.cli.decision.Conclusion} of a
 * ruling the verifier's decider made here or of a decision the ledger recorded, and {@link
 * dev.tollgate.cli.decision.Remedies}, what to do about each reason code, from the verifier's own
 * catalogs. Threat-model rule owned here: <b>every denial says what to do about it</b>, in the
 * words of the catalog the verifier writes its codes through, never in words of the command's own.
 */
package dev.tollgate.cli.decision;
