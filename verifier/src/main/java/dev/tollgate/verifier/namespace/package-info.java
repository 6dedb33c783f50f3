/**
 * Tenant namespaces. Threat-model rules owned here: <b>runs never go to {@code default}, a system
 * namespace or the Kafka namespace</b> (refused at policy load, at decision and at provisioning),
 * <b>Tollgate touches only namespaces it created or an administrator handed to it</b> (label {@code
 * app.kubernetes.io/managed-by=tollgate}; never adopted, never relabelled), and <b>tenant
 * namespaces are kept at their secure defaults</b> (restricted pod security, no service account
 * token, a run Role that grants nothing, default-deny network policy, quotas).
 */
package dev.tollgate.verifier.namespace;
