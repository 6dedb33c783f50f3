package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.manifests.Kustomize.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a security reviewer checks in the rendered manifests, for every kustomization. */
class ManifestsTest {

  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|CREDENTIAL|API_KEY).*");
  private static final Pattern DIGEST_PINNED = Pattern.compile("^[^@\\s]+@sha256:[0-9a-f]{64}$");
  private static final Pattern RELEASE_IMAGE =
      Pattern.compile("^[^@\\s]+/tollgate-(gateway|verifier|ledger)@sha256:[0-9a-f]{64}$");

  static Stream<String> kustomizations() {
    return Kustomize.KUSTOMIZATIONS.stream();
  }

  static Stream<String> deployingKustomizations() {
    return Stream.of("base", "overlays/release", "overlays/kyverno");
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void render_everyKustomization_parsesAsNamedKubernetesObjects(String kustomization) {
    Rendered rendered = Kustomize.render(kustomization);

    assertThat(rendered.objects()).isNotEmpty();
    for (HasMetadata object : rendered.objects()) {
      assertThat(object.getApiVersion()).as("apiVersion of %s", object).isNotBlank();
      assertThat(object.getKind()).as("kind of %s", object).isNotBlank();
      assertThat(object.getMetadata().getName()).as("name of %s", object.getKind()).isNotBlank();
      assertThat(object.getMetadata().getLabels())
          .as("labels of %s %s", object.getKind(), object.getMetadata().getName())
          .containsEntry("app.kubernetes.io/part-of", "tollgate");
    }
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void rbac_anyRoleOrClusterRole_namesVerbsResourcesAndGroupsWithoutWildcards(
      String kustomization) {
    Rendered rendered = Kustomize.render(kustomization);
    List<PolicyRule> rules = new ArrayList<>();
    rendered.ofType(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    rendered.ofType(Role.class).forEach(r -> rules.addAll(r.getRules()));

    for (PolicyRule rule : rules) {
      assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*");
      assertThat(rule.getResources()).isNotEmpty().doesNotContain("*");
      assertThat(rule.getResources()).noneMatch(r -> r.contains("*"));
      assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
      assertThat(rule.getVerbs()).doesNotContain("escalate", "impersonate");
    }
    for (ClusterRole role : rendered.ofType(ClusterRole.class)) {
      assertThat(role.getAggregationRule()).as("aggregated %s", role).isNull();
    }
  }

  @ParameterizedTest
  @MethodSource("deployingKustomizations")
  void deployments_everyContainer_runsRestricted(String kustomization) {
    List<Deployment> deployments = Kustomize.render(kustomization).ofType(Deployment.class);

    assertThat(deployments).hasSize(3);
    for (Deployment deployment : deployments) {
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      PodSecurityContext podContext = pod.getSecurityContext();
      assertThat(podContext.getRunAsNonRoot()).isTrue();
      assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getVolumes()).noneMatch(v -> v.getHostPath() != null);
      List<Container> containers = new ArrayList<>(pod.getContainers());
      if (pod.getInitContainers() != null) {
        containers.addAll(pod.getInitContainers());
      }
      for (Container container : containers) {
        SecurityContext context = container.getSecurityContext();
        assertThat(context).as("securityContext of %s", container.getName()).isNotNull();
        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getReadOnlyRootFilesystem()).isTrue();
        assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(container.getVolumeMounts())
            .as("a writable /tmp for %s", container.getName())
            .anyMatch(m -> "/tmp".equals(m.getMountPath()));
        String tmpVolume =
            container.getVolumeMounts().stream()
                .filter(m -> "/tmp".equals(m.getMountPath()))
                .findFirst()
                .orElseThrow()
                .getName();
        assertThat(pod.getVolumes())
            .anyMatch(v -> tmpVolume.equals(v.getName()) && v.getEmptyDir() != null);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("deployingKustomizations")
  void deployments_everyContainer_probedOnHealthAndLimited(String kustomization) {
    for (Deployment deployment : Kustomize.render(kustomization).ofType(Deployment.class)) {
      for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
        String name = deployment.getMetadata().getName() + "/" + container.getName();
        assertThat(container.getReadinessProbe()).as("readiness of %s", name).isNotNull();
        assertThat(container.getReadinessProbe().getHttpGet().getPath())
            .isEqualTo("/q/health/ready");
        assertThat(container.getLivenessProbe()).as("liveness of %s", name).isNotNull();
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void secrets_anyRenderedObject_carriesReferencesNotValues(String kustomization) {
    Rendered rendered = Kustomize.render(kustomization);

    for (Secret secret : rendered.ofType(Secret.class)) {
      assertThat(secret.getData()).as("data of Secret %s", secret).isNullOrEmpty();
      assertThat(secret.getStringData()).as("stringData of Secret %s", secret).isNullOrEmpty();
    }
    for (Deployment deployment : rendered.ofType(Deployment.class)) {
      for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
        for (EnvVar env : container.getEnv()) {
          if (env.getValue() != null) {
            assertThat(env.getName())
                .as("%s holds a value; secrets come by reference", env.getName())
                .doesNotMatch(SECRET_NAME);
            assertThat(env.getValue()).doesNotContain("-----BEGIN");
          }
        }
        assertThat(container.getEnvFrom()).isNullOrEmpty();
      }
    }
    for (Map<String, Object> configMap : rendered.ofKind("ConfigMap")) {
      assertThat(String.valueOf(configMap.get("data")))
          .doesNotContain("-----BEGIN")
          .doesNotContainIgnoringCase("password");
    }
  }

  @Test
  void deployments_secretEnvironment_comesFromSecretKeyRefs() {
    Rendered base = Kustomize.render("base");
    Container gateway = container(base, "tollgate-gateway");

    EnvVar webhookSecret =
        gateway.getEnv().stream()
            .filter(e -> "TOLLGATE_GITHUB_WEBHOOK_SECRET".equals(e.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(webhookSecret.getValue()).isNull();
    assertThat(webhookSecret.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("tollgate-gateway-github");
    assertThat(webhookSecret.getValueFrom().getSecretKeyRef().getOptional()).isNotEqualTo(true);

    Deployment ledger = deployment(base, "tollgate-ledger");
    Container ledgerContainer = ledger.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(ledgerContainer.getEnv())
        .anyMatch(
            e ->
                "TOLLGATE_LEDGER_SIGNING_KEY_FILE".equals(e.getName())
                    && "/etc/tollgate/ledger/key.pem".equals(e.getValue()));
    assertThat(ledger.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v ->
                v.getSecret() != null
                    && "tollgate-ledger-signing-key".equals(v.getSecret().getSecretName()));
  }

  @ParameterizedTest
  @MethodSource("deployingKustomizations")
  void gateway_redeliveryJob_isConfiguredFromTheConfigMapAndOnWithTheAppCredentials(
      String kustomization) {
    Rendered rendered = Kustomize.render(kustomization);
    Container gateway = container(rendered, "tollgate-gateway");
    Map<String, Object> config =
        rendered.ofKind("ConfigMap").stream()
            .filter(c -> String.valueOf(c.get("metadata")).contains("tollgate-config"))
            .findFirst()
            .orElseThrow();
    @SuppressWarnings("unchecked") // a ConfigMap's data is a map of strings
    Map<String, Object> data = (Map<String, Object>) config.get("data");

    for (String[] pair :
        new String[][] {
          {"TOLLGATE_GATEWAY_REDELIVERY_ENABLED", "GATEWAY_REDELIVERY_ENABLED"},
          {"TOLLGATE_GATEWAY_REDELIVERY_REPOSITORY", "GATEWAY_REDELIVERY_REPOSITORY"},
          {"TOLLGATE_GATEWAY_REDELIVERY_HOOK_ID", "GATEWAY_REDELIVERY_HOOK_ID"}
        }) {
      assertThat(gateway.getEnv())
          .as("%s from tollgate-config", pair[0])
          .anyMatch(
              e ->
                  e.getName().equals(pair[0])
                      && e.getValueFrom() != null
                      && e.getValueFrom().getConfigMapKeyRef() != null
                      && pair[1].equals(e.getValueFrom().getConfigMapKeyRef().getKey()));
      // Empty by default: unset, so the job is on wherever the App's credentials are given.
      assertThat(data).containsEntry(pair[1], "");
    }
    assertThat(gateway.getEnv())
        .anyMatch(
            e ->
                e.getName().equals("TOLLGATE_GITHUB_APP_ID")
                    && "tollgate-gateway-github"
                        .equals(e.getValueFrom().getSecretKeyRef().getName()));
  }

  @ParameterizedTest
  @MethodSource("deployingKustomizations")
  void ledger_eventKeys_runWatchKeyAndTrustedKeysAreMounted(String kustomization) {
    PodSpec pod =
        deployment(Kustomize.render(kustomization), "tollgate-ledger")
            .getSpec()
            .getTemplate()
            .getSpec();
    Map<String, String> env = new HashMap<>();
    pod.getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));

    assertThat(env)
        .containsEntry("TOLLGATE_SIGNING_KEY_FILE", "/etc/tollgate/run-watch-key/key.pem")
        .containsEntry(
            "TOLLGATE_TRUST_GATEWAY_KEYS", "/etc/tollgate/event-trust/gateway-events.pub.pem")
        .containsEntry(
            "TOLLGATE_TRUST_VERIFIER_KEYS", "/etc/tollgate/event-trust/verifier-events.pub.pem")
        .containsEntry(
            "TOLLGATE_TRUST_RUN_WATCH_KEYS", "/etc/tollgate/event-trust/run-watch-events.pub.pem");
    // The run watch's key is its own Secret, never the ledger's record key.
    assertThat(pod.getVolumes())
        .anyMatch(
            v ->
                v.getSecret() != null
                    && "tollgate-run-watch-event-key".equals(v.getSecret().getSecretName()))
        .anyMatch(
            v ->
                v.getConfigMap() != null
                    && "tollgate-event-keys".equals(v.getConfigMap().getName()));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anyMatch(m -> "/etc/tollgate/run-watch-key".equals(m.getMountPath()))
        .anyMatch(m -> "/etc/tollgate/event-trust".equals(m.getMountPath()));
  }

  @ParameterizedTest
  @MethodSource("deployingKustomizations")
  void gateway_checkReports_trustTheVerifierAndRunWatchKeysMounted(String kustomization) {
    PodSpec pod =
        deployment(Kustomize.render(kustomization), "tollgate-gateway")
            .getSpec()
            .getTemplate()
            .getSpec();
    Map<String, String> env = new HashMap<>();
    pod.getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));

    assertThat(env)
        .containsEntry(
            "TOLLGATE_TRUST_VERIFIER_KEYS", "/etc/tollgate/event-trust/verifier-events.pub.pem")
        .containsEntry(
            "TOLLGATE_TRUST_RUN_WATCH_KEYS", "/etc/tollgate/event-trust/run-watch-events.pub.pem");
    assertThat(pod.getVolumes())
        .anyMatch(
            v ->
                v.getConfigMap() != null
                    && "tollgate-event-keys".equals(v.getConfigMap().getName()));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anyMatch(m -> "/etc/tollgate/event-trust".equals(m.getMountPath()) && m.getReadOnly());
  }

  @ParameterizedTest
  @MethodSource("deployingKustomizations")
  void gateway_eventSigningKey_isAMountedSecretNamedByTheEnvironment(String kustomization) {
    Deployment deployment = deployment(Kustomize.render(kustomization), "tollgate-gateway");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container gateway = pod.getContainers().get(0);

    EnvVar keyFile =
        gateway.getEnv().stream()
            .filter(e -> "TOLLGATE_SIGNING_KEY_FILE".equals(e.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(keyFile.getValue()).isEqualTo("/etc/tollgate/gateway/events-key.pem");
    VolumeMount mount =
        gateway.getVolumeMounts().stream()
            .filter(m -> "/etc/tollgate/gateway".equals(m.getMountPath()))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getReadOnly()).isTrue();
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("tollgate-gateway-events-key");
    assertThat(volume.getSecret().getOptional()).isNotEqualTo(true);
    assertThat(volume.getSecret().getItems())
        .singleElement()
        .satisfies(item -> assertThat(item.getPath()).isEqualTo("events-key.pem"));
    // The ledger's key is the ledger's alone.
    assertThat(pod.getVolumes())
        .noneMatch(
            v ->
                v.getSecret() != null
                    && "tollgate-ledger-signing-key".equals(v.getSecret().getSecretName()));
    // The delivery journal believes only records signed by a trusted gateway key.
    assertThat(gateway.getEnv())
        .anyMatch(
            e ->
                "TOLLGATE_TRUST_GATEWAY_KEYS".equals(e.getName())
                    && "/etc/tollgate/event-trust/gateway-events.pub.pem".equals(e.getValue()));
    // A decision's check shows its ledger seq only from ledger records signed by the ledger's key.
    assertThat(gateway.getEnv())
        .anyMatch(
            e ->
                "TOLLGATE_TRUST_LEDGER_KEYS".equals(e.getName())
                    && "/etc/tollgate/event-trust/ledger.pub.pem".equals(e.getValue()));
    VolumeMount trust =
        gateway.getVolumeMounts().stream()
            .filter(m -> "/etc/tollgate/event-trust".equals(m.getMountPath()))
            .findFirst()
            .orElseThrow();
    assertThat(trust.getReadOnly()).isTrue();
    assertThat(pod.getVolumes())
        .anyMatch(
            v ->
                v.getName().equals(trust.getName())
                    && v.getConfigMap() != null
                    && "tollgate-event-keys".equals(v.getConfigMap().getName()));
  }

  @Test
  void gateway_serviceAccount_hasNoTokenAndNoBinding() {
    Rendered release = Kustomize.render("overlays/release");
    ServiceAccount gateway =
        release.ofType(ServiceAccount.class).stream()
            .filter(sa -> "tollgate-gateway".equals(sa.getMetadata().getName()))
            .findFirst()
            .orElseThrow();

    assertThat(gateway.getAutomountServiceAccountToken()).isFalse();
    assertThat(
            deployment(release, "tollgate-gateway")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAutomountServiceAccountToken())
        .isFalse();
    List<Subject> subjects = new ArrayList<>();
    release.ofType(ClusterRoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    release.ofType(RoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    assertThat(subjects).isNotEmpty().noneMatch(s -> "tollgate-gateway".equals(s.getName()));
    assertThat(subjects).noneMatch(s -> "default".equals(s.getName()));
  }

  @Test
  void gateway_managementInterface_isApartFromTheWebhookService() {
    Rendered base = Kustomize.render("base");
    Container gateway = container(base, "tollgate-gateway");
    Service webhook = service(base, "tollgate-gateway");
    Service management = service(base, "tollgate-gateway-management");

    assertThat(webhook.getSpec().getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getPort()).isEqualTo(8080);
              assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
            });
    assertThat(webhook.getMetadata().getLabels()).doesNotContainKey("tollgate.dev/endpoint");
    assertThat(management.getSpec().getPorts())
        .singleElement()
        .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("management"));
    assertThat(gateway.getPorts())
        .anyMatch(p -> "management".equals(p.getName()) && p.getContainerPort() == 9000);
    assertThat(gateway.getEnv())
        .anyMatch(
            e -> "QUARKUS_MANAGEMENT_PORT".equals(e.getName()) && "9000".equals(e.getValue()));
    for (Probe probe :
        List.of(
            gateway.getReadinessProbe(), gateway.getLivenessProbe(), gateway.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
    }
  }

  @Test
  void deployments_eachComponent_runsUnderItsOwnServiceAccount() {
    Rendered base = Kustomize.render("base");

    for (String name : List.of("tollgate-gateway", "tollgate-verifier", "tollgate-ledger")) {
      PodSpec pod = deployment(base, name).getSpec().getTemplate().getSpec();
      assertThat(pod.getServiceAccountName()).isEqualTo(name);
    }
    assertThat(base.ofType(ServiceAccount.class))
        .extracting(sa -> sa.getMetadata().getName())
        .containsExactlyInAnyOrder("tollgate-gateway", "tollgate-verifier", "tollgate-ledger");
  }

  @Test
  void rbac_verifierAndLedger_holdOnlyTheirNamedPermissions() {
    Rendered base = Kustomize.render("base");
    ClusterRole verifier = clusterRole(base, "tollgate-verifier");
    ClusterRole ledger = clusterRole(base, "tollgate-ledger");

    assertThat(verifier.getRules())
        .anyMatch(
            r ->
                r.getApiGroups().equals(List.of("tekton.dev"))
                    && r.getResources().equals(List.of("pipelineruns"))
                    && r.getVerbs().contains("create"));
    assertThat(verifier.getRules()).noneMatch(r -> r.getResources().contains("taskruns"));
    // Secrets: created (the copies of the designated pull Secret), never read cluster-wide; the one
    // readable Secret is named in a Role of the verifier's namespace.
    assertThat(verifier.getRules())
        .filteredOn(r -> r.getResources().contains("secrets"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources()).containsExactly("secrets");
              assertThat(r.getVerbs()).containsExactly("create");
            });
    assertThat(base.ofType(Role.class).stream().flatMap(r -> r.getRules().stream()).toList())
        .filteredOn(r -> r.getResources().contains("secrets"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getVerbs()).containsExactly("get");
              assertThat(r.getResourceNames()).containsExactly("tollgate-tenant-pull-secret");
            });
    Set<String> tenantDefaults =
        Set.of(
            "namespaces",
            "serviceaccounts",
            "roles",
            "rolebindings",
            "networkpolicies",
            "persistentvolumeclaims",
            "resourcequotas",
            "limitranges");
    assertThat(verifier.getRules().stream().flatMap(r -> r.getResources().stream()))
        .containsAll(tenantDefaults);
    // The exact verbs are compared with the requests the code sends in the verifier's
    // VerifierRbacTest; here: it never deletes or patches, lists and watches only the kinds of
    // its tenant defaults (never a Secret, never a PipelineRun), and it creates namespaces
    // without being able to relabel one (which would hand it any namespace).
    assertThat(verifier.getRules().stream().flatMap(r -> r.getVerbs().stream()))
        .doesNotContain("delete", "deletecollection", "patch");
    assertThat(verifier.getRules())
        .filteredOn(r -> r.getVerbs().contains("list") || r.getVerbs().contains("watch"))
        .allSatisfy(r -> assertThat(tenantDefaults).containsAll(r.getResources()));
    assertThat(verifier.getRules())
        .filteredOn(r -> r.getResources().contains("namespaces"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getVerbs())
                    .containsExactlyInAnyOrder("get", "list", "watch", "create"));

    assertThat(ledger.getRules()).hasSize(1);
    PolicyRule read = ledger.getRules().get(0);
    assertThat(read.getApiGroups()).containsExactly("tekton.dev");
    assertThat(read.getResources()).containsExactlyInAnyOrder("pipelineruns", "taskruns");
    assertThat(read.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
  }

  @Test
  void deployments_replicasAndStrategy_matchEachRole() {
    Rendered base = Kustomize.render("base");

    assertThat(deployment(base, "tollgate-gateway").getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment(base, "tollgate-verifier").getSpec().getReplicas()).isEqualTo(2);
    Deployment ledger = deployment(base, "tollgate-ledger");
    assertThat(ledger.getSpec().getReplicas()).isEqualTo(1);
    assertThat(ledger.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(base.ofType(PodDisruptionBudget.class))
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("tollgate-gateway", "tollgate-verifier", "tollgate-ledger");
  }

  @Test
  void networkPolicies_namespace_deniesByDefaultAndOpensOnlyTheGatewayPort() {
    Rendered base = Kustomize.render("base");
    List<NetworkPolicy> policies = base.ofType(NetworkPolicy.class);

    NetworkPolicy deny =
        policies.stream()
            .filter(p -> "default-deny".equals(p.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(deny.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
    assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
    assertThat(deny.getSpec().getEgress()).isNullOrEmpty();

    NetworkPolicy gateway =
        policies.stream()
            .filter(p -> "tollgate-gateway".equals(p.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    // The webhook port from anywhere (the ingress); the management port from monitoring only.
    assertThat(gateway.getSpec().getIngress())
        .allSatisfy(
            rule ->
                assertThat(rule.getPorts())
                    .singleElement()
                    .satisfies(port -> assertThat(port.getPort().getIntVal()).isIn(8080, 9000)));
    assertThat(gateway.getSpec().getIngress())
        .filteredOn(rule -> rule.getPorts().get(0).getPort().getIntVal() == 9000)
        .singleElement()
        .satisfies(
            rule ->
                assertThat(rule.getFrom())
                    .singleElement()
                    .satisfies(
                        peer ->
                            assertThat(peer.getNamespaceSelector().getMatchLabels())
                                .containsExactly(
                                    Map.entry("kubernetes.io/metadata.name", "monitoring"))));
    for (NetworkPolicy policy : policies) {
      if (policy.getSpec().getEgress() == null) {
        continue;
      }
      policy
          .getSpec()
          .getEgress()
          .forEach(
              rule ->
                  assertThat(rule.getPorts())
                      .as("egress of %s names its ports", policy.getMetadata().getName())
                      .isNotEmpty());
    }
  }

  @Test
  void topics_ledgerTopic_isOneChainKeptForeverWithoutCompaction() {
    Map<String, Object> ledger =
        Kustomize.render("topics").ofKind("KafkaTopic").stream()
            .filter(t -> "tollgate.ledger.v1".equals(spec(t).get("topicName")))
            .findFirst()
            .orElseThrow();
    Map<String, Object> spec = spec(ledger);
    // A parsed YAML mapping: string keys, values of any of the parser's types.
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) spec.get("config");

    assertThat(spec).containsEntry("partitions", 1).containsEntry("replicas", 3);
    assertThat(config)
        .containsEntry("min.insync.replicas", "2")
        .containsEntry("retention.ms", "-1")
        .containsEntry("cleanup.policy", "delete");
  }

  @Test
  void topics_eventTopics_haveTwelvePartitionsForScale() {
    Map<Object, Object> partitions = new java.util.HashMap<>();
    for (Map<String, Object> t : Kustomize.render("topics").ofKind("KafkaTopic")) {
      partitions.put(spec(t).get("topicName"), spec(t).get("partitions"));
    }

    assertThat(partitions)
        .containsEntry("tollgate.triggers.v1", 12)
        .containsEntry("tollgate.rejections.v1", 12)
        .containsEntry("tollgate.decisions.v1", 12)
        .containsEntry("tollgate.runs.v1", 12);
  }

  @Test
  void topics_strimziAndScript_nameTheSameTopics() throws Exception {
    List<Object> strimzi =
        Kustomize.render("topics").ofKind("KafkaTopic").stream()
            .map(t -> spec(t).get("topicName"))
            .toList();
    String script =
        java.nio.file.Files.readString(Kustomize.deployDir().resolve("topics/kafka-topics.sh"));

    assertThat(strimzi)
        .containsExactlyInAnyOrder(
            "tollgate.triggers.v1",
            "tollgate.rejections.v1",
            "tollgate.decisions.v1",
            "tollgate.runs.v1",
            "tollgate.approvals.v1",
            "tollgate.deliveries.v1",
            "tollgate.schedules.v1",
            "tollgate.ledger.v1");
    assertThat(script)
        .contains("create tollgate.ledger.v1 1 --config retention.ms=-1")
        .contains("for t in triggers rejections decisions runs")
        .contains("create \"tollgate.$t.v1\" 12 ")
        .contains("create tollgate.approvals.v1 3 --config cleanup.policy=compact")
        .contains("create tollgate.deliveries.v1 3 --config cleanup.policy=compact,delete")
        .contains("create tollgate.schedules.v1 1 --config cleanup.policy=compact");
  }

  @ParameterizedTest
  @MethodSource("releaseOverlays")
  void images_releaseOverlay_pinsEveryImageByDigest(String kustomization) {
    List<String> services = new ArrayList<>();
    for (Deployment deployment : Kustomize.render(kustomization).ofType(Deployment.class)) {
      for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
        String image = container.getImage();
        assertThat(image).matches(DIGEST_PINNED);
        assertThat(image)
            .as(
                "a placeholder digest: run deploy/images/build --pin (README, Deploying to a cluster)")
            .doesNotEndWith("@sha256:" + "0".repeat(64));
        Matcher service = RELEASE_IMAGE.matcher(image);
        assertThat(service.matches())
            .as("%s names none of tollgate-gateway, tollgate-verifier, tollgate-ledger", image)
            .isTrue();
        assertThat(deployment.getMetadata().getName()).isEqualTo("tollgate-" + service.group(1));
        services.add(service.group(1));
      }
    }
    assertThat(services).containsExactlyInAnyOrder("gateway", "verifier", "ledger");
  }

  static Stream<String> releaseOverlays() {
    return Stream.of("overlays/release", "overlays/kyverno");
  }

  @Test
  void monitoring_alertsAndDashboard_coverTheServices() {
    Rendered monitoring = Kustomize.render("monitoring");
    GenericKubernetesResource rules =
        monitoring.ofType(GenericKubernetesResource.class).stream()
            .filter(o -> "PrometheusRule".equals(o.getKind()))
            .findFirst()
            .orElseThrow();
    String alerts = Kustomize.SERIALIZATION.asJson(rules.getAdditionalProperties().get("spec"));
    Map<String, Object> dashboardMap =
        monitoring.ofKind("ConfigMap").stream()
            .filter(c -> "tollgate-grafana-dashboard".equals(metadata(c).get("name")))
            .findFirst()
            .orElseThrow();
    // Parsed YAML and JSON mappings: string keys, values of any of the parsers' types.
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) dashboardMap.get("data");
    @SuppressWarnings("unchecked")
    Map<String, Object> dashboard =
        Kustomize.SERIALIZATION.unmarshal((String) data.get("tollgate-dashboard.json"), Map.class);

    assertThat(alerts)
        .contains("TollgateRejectionSpike")
        .contains("tollgate_gateway_deliveries_total{outcome=\\\"rejected\\\"}")
        .contains("TollgateUnadmittedRuns")
        .contains("TollgateLedgerWriterNotReady")
        .contains("TollgateVerifierErrorDecisions")
        .contains("TollgateKafkaUnavailable");
    assertThat(String.valueOf(dashboard.get("panels")))
        .contains("tollgate_gateway_")
        .contains("tollgate_verifier_")
        .contains("tollgate_ledger_");
    assertThat(metadata(dashboardMap).get("labels").toString()).contains("grafana_dashboard=1");
  }

  private static Deployment deployment(Rendered rendered, String name) {
    return rendered.ofType(Deployment.class).stream()
        .filter(d -> name.equals(d.getMetadata().getName()))
        .findFirst()
        .orElseThrow();
  }

  private static Service service(Rendered rendered, String name) {
    return rendered.ofType(Service.class).stream()
        .filter(s -> name.equals(s.getMetadata().getName()))
        .findFirst()
        .orElseThrow();
  }

  private static Container container(Rendered rendered, String deployment) {
    return deployment(rendered, deployment)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  private static ClusterRole clusterRole(Rendered rendered, String name) {
    return rendered.ofType(ClusterRole.class).stream()
        .filter(r -> name.equals(r.getMetadata().getName()))
        .findFirst()
        .orElseThrow();
  }

  // Kubernetes objects here are parsed YAML mappings: string keys, values of the parser's types.
  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(Map<String, Object> object) {
    return (Map<String, Object>) object.get("spec");
  }

  // Kubernetes objects here are parsed YAML mappings: string keys, values of the parser's types.
  @SuppressWarnings("unchecked")
  private static Map<String, Object> metadata(Map<String, Object> object) {
    return (Map<String, Object>) object.get("metadata");
  }
}
