/**
 * Signed events: "Kafka is a transport, not a proof". Each component signs the events it writes
 * with an Ed25519 key of its own; whoever consumes an event verifies who wrote it before acting on
 * it or recording it as genuine. A client on the broker can copy, drop or reorder records, but
 * cannot make one that verifies under a component's key. The signed form is documented in {@link
 * dev.tollgate.schemas.signing.EventSignatures} so a third party can check it with openssl.
 */
package dev.tollgate.schemas.signing;
