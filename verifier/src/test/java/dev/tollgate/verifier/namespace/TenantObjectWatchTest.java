package dev.tollgate.verifier.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.reason.DecisionReason;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provisioning with a watch of the tenant objects: a namespace already at its secure defaults is
 * checked without a request, and a change made on the API server is checked (repaired, or refused)
 * as soon as the watch delivers it, exactly as a read would. Against fabric8's mock API server in
 * CRUD mode.
 */
@EnableKubernetesMockClient(crud = true)
class TenantObjectWatchTest {
  private static final TenantProvisioner.Defaults DEFAULTS =
      new TenantProvisioner.Defaults(List.of("10.0.0.0/8"), "1Gi", "20", "8", "16Gi", "1", "1Gi");

  static KubernetesClient client;
  static KubernetesMockServer server;

  private TenantObjectWatch watch;

  @BeforeEach
  void startWatch() {
    watch = TenantObjectWatch.start(client);
  }

  @AfterEach
  void stopWatch() {
    watch.close();
  }

  private TenantProvisioner provisioner() {
    return new TenantProvisioner(client, DEFAULTS, NamespaceRules.DEFAULTS, watch);
  }

  @Test
  void provision_namespaceAtItsDefaultsAndWatched_sendsNoRequest() throws Exception {
    provisioner().provision("team-watched");
    awaitWatched(() -> watch.current(ServiceAccount.class, "team-watched", "tollgate-run") != null);
    awaitWatched(() -> watch.current(LimitRange.class, "team-watched", "tollgate-limits") != null);
    int before = server.getRequestCount();

    TenantProvisioner.Report again = provisioner().provision("team-watched");

    assertThat(again.changedAnything()).isFalse();
    assertThat(server.getRequestCount()).isEqualTo(before);
  }

  @Test
  void provision_watchedServiceAccountTamperedWith_readAndRepaired() throws Exception {
    provisioner().provision("team-tampered");
    client
        .serviceAccounts()
        .inNamespace("team-tampered")
        .withName("tollgate-run")
        .edit(
            s -> {
              s.setAutomountServiceAccountToken(true);
              return s;
            });
    awaitWatched(
        () -> {
          ServiceAccount seen =
              watch.current(ServiceAccount.class, "team-tampered", "tollgate-run");
          return seen != null && Boolean.TRUE.equals(seen.getAutomountServiceAccountToken());
        });

    TenantProvisioner.Report report = provisioner().provision("team-tampered");

    assertThat(report.repaired()).containsExactly("ServiceAccount/tollgate-run");
    assertThat(
            client
                .serviceAccounts()
                .inNamespace("team-tampered")
                .withName("tollgate-run")
                .get()
                .getAutomountServiceAccountToken())
        .isFalse();
  }

  @Test
  void provision_watchedNamespaceRelabelledPrivileged_refused() throws Exception {
    provisioner().provision("team-relabelled");
    client
        .namespaces()
        .withName("team-relabelled")
        .edit(
            n -> {
              n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "privileged");
              return n;
            });
    awaitWatched(
        () -> {
          Namespace seen = watch.current(Namespace.class, null, "team-relabelled");
          return seen != null
              && "privileged"
                  .equals(seen.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
        });

    assertThatThrownBy(() -> provisioner().provision("team-relabelled"))
        .isInstanceOfSatisfying(
            NamespaceRefusedException.class,
            e ->
                assertThat(e.reason().code())
                    .isEqualTo(DecisionReason.NAMESPACE_NOT_MANAGED.code()));
  }

  @Test
  void current_watchClosed_holdsNothing() throws Exception {
    provisioner().provision("team-closed");
    awaitWatched(() -> watch.current(Namespace.class, null, "team-closed") != null);

    watch.close();

    assertThat(watch.current(Namespace.class, null, "team-closed")).isNull();
  }

  /**
   * Waits until the watch has delivered what {@code seen} looks for (a bounded wait, not a timing).
   */
  private static void awaitWatched(BooleanSupplier seen) throws InterruptedException {
    for (int i = 0; i < 500 && !seen.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertThat(seen.getAsBoolean()).as("the watch delivered the change").isTrue();
  }
}
