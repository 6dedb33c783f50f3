/**
 * The verifier's one Kubernetes client and the watch on the policy ConfigMap. Threat-model rule
 * owned here: <b>the verifier is the only writer to the cluster</b>, through this client only; the
 * policy set is never decided from before the ConfigMap was read once.
 */
package dev.tollgate.verifier.cluster;
