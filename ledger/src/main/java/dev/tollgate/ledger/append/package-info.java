/**
 * Integrating events into the ledger, without a broker or a disk: {@link
 * dev.tollgate.ledger.append.AppendStep} turns source events into signed, chained records and
 * checkpoints, checked as the auditor checks them, as one {@link
 * dev.tollgate.ledger.append.StagedBatch} per transaction.
 *
 * <p>Threat-model rule owned here: <b>record every event once, and never sign a fork</b>. Each
 * record extends the chain exactly as an auditor verifies it (seq, prev, signature, payload
 * digest); an event id the ledger already holds is not recorded again (issue 17 will record a
 * conflicting one as a conflict instead); a checkpoint is signed only after the tree was proven
 * consistent with the last one. Nothing here talks to Kafka or writes files, so every rule is
 * reached by a test in milliseconds.
 */
package dev.tollgate.ledger.append;
