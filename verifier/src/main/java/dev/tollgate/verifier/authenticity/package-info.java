/**
 * Who wrote an event. Threat-model rule owned here: <b>Kafka is a transport, not a proof</b>. The
 * verifier acts on a trigger only when it verifies under a trusted gateway key, counts an approval
 * only when it verifies under a trusted verifier key, and signs every decision and approval with
 * its own key. Without those keys the verifier does not start: it fails closed rather than trusting
 * whatever the broker holds.
 */
package dev.tollgate.verifier.authenticity;
