/**
 * The RFC 6962 Merkle tree over ledger records, with inclusion and consistency proofs. Threat-model
 * rule owned here: <b>a record once in the tree can be proven in it, and history cannot be
 * rewritten without a proof failing</b>.
 */
package dev.tollgate.ledger.merkle;
