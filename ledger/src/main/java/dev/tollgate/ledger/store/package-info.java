/**
 * What the writer holds of its ledger: {@link dev.tollgate.ledger.store.LedgerState} (chain, tree,
 * offsets, index), and {@link dev.tollgate.ledger.store.LedgerDataDir}, the same kept on local disk
 * between restarts.
 *
 * <p>Threat-model rule owned here: <b>only what Kafka committed counts, and local state is a cache,
 * never a source of truth</b>. A staged batch reaches the state through {@code apply} after its
 * transaction committed and is discarded otherwise, in this one place. The data directory is
 * written only after a commit, its state file is the commit point, and on load its last checkpoint
 * must verify and reproduce the kept tree; a directory that cannot be written or read is dropped
 * and rebuilt from the topic, never trusted half-written.
 */
package dev.tollgate.ledger.store;
