/**
 * Recovering deliveries GitHub could not make. Threat-model rule owned here: <b>an outage loses no
 * trigger silently</b>: deliveries GitHub failed to make are asked for again.
 */
package dev.tollgate.gateway.redeliver;
