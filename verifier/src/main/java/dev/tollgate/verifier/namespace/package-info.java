/**
 * Tenant namespaces. Threat-model rules owned here: <b>runs never go to {@code default} or a system
 * namespace</b>, and <b>tenant namespaces are kept at their secure defaults</b> (restricted pod
 * security, no service account token, default-deny network policy, quotas).
 */
package dev.tollgate.verifier.namespace;
