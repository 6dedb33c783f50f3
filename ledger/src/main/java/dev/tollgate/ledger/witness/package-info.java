/**
 * Witnesses: "neither a gap nor a rewritten history goes unnoticed". The ledger's own signature
 * proves who wrote a checkpoint, not that the key holder showed everyone the same tree. Independent
 * witnesses (C2SP tlog-witness) cosign a checkpoint only after a consistency proof from the last
 * one they cosigned, so a truncated or forked ledger cannot collect the cosignatures an auditor
 * requires (C2SP tlog-cosignature). This package holds the client that submits checkpoints (and
 * asks a witness for the latest one it cosigned), the submitter that does so off the writer's path
 * so a witness that is down delays nothing, the store that keeps each checkpoint with its
 * cosignatures as one signed note, the cosignature format and the quorum check auditors run; every
 * answer a witness gives is verified before it counts.
 */
package dev.tollgate.ledger.witness;
