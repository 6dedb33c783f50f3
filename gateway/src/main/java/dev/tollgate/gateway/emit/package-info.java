/**
 * Writing triggers to Kafka. Threat-model rule owned here: <b>accepted means written</b>: a webhook
 * is answered 202 only once the broker acknowledged its trigger; otherwise the sender is told to
 * retry.
 */
package dev.tollgate.gateway.emit;
