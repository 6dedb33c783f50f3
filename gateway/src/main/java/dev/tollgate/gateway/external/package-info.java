/**
 * Triggers started by external callers with an OIDC token. Threat-model rule owned here: <b>only an
 * allowed issuer and subject may start a configured trigger</b>, and the token is never quoted.
 */
package dev.tollgate.gateway.external;
