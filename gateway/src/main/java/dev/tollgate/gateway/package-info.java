/**
 * The gateway: the only door into Tollgate. Owns <b>nothing is emitted unless it was
 * authenticated</b> (a GitHub delivery by its HMAC, an external call by its OIDC token, a schedule
 * by its own configuration) and <b>a refusal is an event too</b>. {@link
 * dev.tollgate.gateway.GatewayConfig} holds its configuration; each door lives in its own package.
 */
package dev.tollgate.gateway;
