package dev.tollgate.ledger.watch;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the fabric8 client would find a cluster configuration: the in-cluster service account, a
 * {@code KUBECONFIG}, {@code ~/.kube/config}, or an explicit master URL.
 */
final class ClusterConfig {

  private static final Path SERVICE_ACCOUNT_TOKEN =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private ClusterConfig() {}

  static boolean present() {
    if (System.getenv("KUBERNETES_SERVICE_HOST") != null
        && Files.isReadable(SERVICE_ACCOUNT_TOKEN)) {
      return true;
    }
    if (System.getProperty("kubernetes.master") != null
        || System.getenv("KUBERNETES_MASTER") != null) {
      return true;
    }
    String kubeconfig = System.getProperty("kubeconfig", System.getenv("KUBECONFIG"));
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return true;
    }
    return Files.isReadable(Path.of(System.getProperty("user.home"), ".kube", "config"));
  }
}
