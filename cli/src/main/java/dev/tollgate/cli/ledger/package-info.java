/**
 * Reading the ledger for people: from its topic or from an auditor's export directory, every record
 * verified with the ledger's public key on the way (chain, signatures, Merkle tree, checkpoints),
 * by the ledger's own verifier, before anything of it is shown. Threat-model rule owned here:
 * <b>show only what verifies</b>: a record that does not verify ends the command with exit 1 and
 * nothing after it is read, and an export's own keys are never trusted for its first record.
 */
package dev.tollgate.cli.ledger;
