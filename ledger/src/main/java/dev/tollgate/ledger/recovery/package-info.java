/**
 * Recovering the writer's state before it appends: {@link
 * dev.tollgate.ledger.recovery.LedgerRecovery} resumes from the head kept in the data directory or
 * reads the whole ledger topic, verifying every record on the way.
 *
 * <p>Threat-model rule owned here: <b>never extend a chain that does not verify or that lost what
 * this writer committed</b>. The head the data directory remembers must be the record the topic
 * holds at the kept offset (same hash, same leaf); a topic cut below it ({@code TRUNCATED}) or
 * rewritten under it ({@code PREV_MISMATCH}), or any record that fails the auditor's checks, makes
 * the writer refuse to write (fail closed) until an operator decides which ledger to trust.
 */
package dev.tollgate.ledger.recovery;
