/**
 * Checkpoints as C2SP signed notes, and receipts. Threat-model rule owned here: <b>a checkpoint is
 * signed only after the tree is proven consistent with the last one</b>, so the ledger never signs
 * a fork.
 */
package dev.tollgate.ledger.checkpoint;
