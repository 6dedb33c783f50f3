/**
 * The hash chain of ledger records: building them ({@link
 * dev.tollgate.ledger.chain.RecordBuilder}), their shape ({@link
 * dev.tollgate.ledger.chain.RecordShape}, held to {@code ledger-record.v1.schema.json}) and
 * verifying them one after another ({@link dev.tollgate.ledger.chain.ChainVerifier}). Shipped in
 * the auditor jar: public keys only.
 *
 * <p>Threat-model rule owned here: <b>the ledger is verifiable by a third party with the public key
 * and the documented format alone</b>. Every check runs on the stored bytes (RFC 8785 canonical
 * JSON, Ed25519 over the signed bytes, SHA-256 record hashes), never on a re-serialised object, and
 * the writer runs every record it builds through the verifier auditors run (its own fresh signature
 * taken as made, the rest checked). A value on the ledger topic that is not the ledger's (not
 * canonical, not signed by a ledger key in force, or a copy of an earlier record: {@link
 * dev.tollgate.ledger.chain.Injected}) is reported and skipped, never a reason the chain stops
 * verifying; a value the ledger key signed that does not extend the chain is a chain failure.
 */
package dev.tollgate.ledger.chain;
