/**
 * The ledger's own Ed25519 key and the keys it used before. Threat-model rule owned here: <b>the
 * ledger's key signs only ledger records and checkpoints</b>, is never shared with another
 * component, and is never printed.
 */
package dev.tollgate.ledger.signing;
