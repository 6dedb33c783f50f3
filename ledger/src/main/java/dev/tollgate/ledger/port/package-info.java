/**
 * The writer's port to the broker: {@link dev.tollgate.ledger.port.LedgerPort} opens one producer
 * lifetime ({@link dev.tollgate.ledger.port.LedgerSession}) after another; {@link
 * dev.tollgate.ledger.port.KafkaLedgerPort} is the real one, and the only writer-side code that
 * uses Kafka's clients.
 *
 * <p>Threat-model rule owned here: <b>a record and the source offset that says "done" are written
 * together or not at all, by one writer</b>. Each batch is one Kafka transaction holding the ledger
 * records and the consumed offsets (read_committed, no automatic offset commits), and the fixed
 * transactional id fences every earlier writer, which then stops for good. Kafka is a transport,
 * not a proof: whatever a session reads back is verified by the caller before it counts.
 */
package dev.tollgate.ledger.port;
