/**
 * Which component's word a source event is: {@link dev.tollgate.ledger.trust.SourceTrust} holds the
 * public keys trusted for each source topic and checks an event's signature on the record exactly
 * as consumed, giving the {@code authentication} the ledger records with it.
 *
 * <p>Threat-model rule owned here: <b>Kafka is a transport, not a proof</b>. An event counts as the
 * gateway's, the verifier's or the run watch's only when it verifies under a key trusted for that
 * component; anything else (unsigned, another component's key, a forged or altered signature) is
 * still recorded, as evidence of what arrived, but flagged, so it never admits a run and never
 * links a provenance chain.
 */
package dev.tollgate.ledger.trust;
