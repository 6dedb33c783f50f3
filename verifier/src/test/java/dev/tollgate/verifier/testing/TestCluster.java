package dev.tollgate.verifier.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * What {@link ClusterResource} started for a test: a client of the mock API server, the registry
 * and the policy directory the verifier watches; the API server's fault switch; a second registry
 * for outages.
 */
public record TestCluster(
    KubernetesClient client,
    RegistryServer registry,
    Path policies,
    FlakyApiServer api,
    RegistryServer spare) {}
