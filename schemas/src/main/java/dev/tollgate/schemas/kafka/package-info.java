/**
 * Kafka is a transport, not a proof: every Tollgate client reaches the broker with credentials of
 * its own (SASL/SCRAM or mTLS, the settings Kafka users set for any client), so that the broker's
 * ACLs decide who may write each topic. Secrets stay references and are never logged.
 */
package dev.tollgate.schemas.kafka;
