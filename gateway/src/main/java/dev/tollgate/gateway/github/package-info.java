/**
 * The GitHub webhook door. Threat-model rules owned here: <b>a delivery counts only if its HMAC
 * verifies</b> under a configured secret, <b>a signed body counts only as the event it fits</b>, a
 * redelivery is recognised and a different body under the same delivery is refused, and <b>nothing
 * unauthenticated is held unbounded</b> (bodies read before authentication are capped).
 */
package dev.tollgate.gateway.github;
