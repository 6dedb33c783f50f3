/**
 * Refusals as events. Threat-model rule owned here: <b>every refusal is observable</b> on {@code
 * tollgate.rejections.v1}, and a flood of refusals cannot amplify into Kafka.
 */
package dev.tollgate.gateway.reject;
