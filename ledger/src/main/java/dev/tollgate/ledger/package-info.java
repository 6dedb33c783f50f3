/**
 * The ledger: an observer in its own trust domain. {@link dev.tollgate.ledger.LedgerConfig} holds
 * its configuration; the writer side (recovery, append, port, writer, store) and the auditor side
 * (audit, chain, checkpoint, merkle, index, topic, witness) live in their own packages.
 */
package dev.tollgate.ledger;
