/**
 * A real KRaft Kafka broker from the Maven artifacts: embedded in tests, a process for the local
 * stack; plaintext by default, SASL/SCRAM with the StandardAuthorizer in secured mode.
 */
package dev.tollgate.deploy.kafka;
