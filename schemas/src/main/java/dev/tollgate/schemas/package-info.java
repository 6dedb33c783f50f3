/**
 * The event contracts every component shares: the events, their CloudEvents form on Kafka,
 * canonical JSON, the ledger record and event signatures. Owns no service logic.
 */
package dev.tollgate.schemas;
