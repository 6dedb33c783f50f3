package dev.tollgate.verifier.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.decide.Decision;
import dev.tollgate.verifier.decide.Ruling;
import dev.tollgate.verifier.namespace.NamespaceRules;
import dev.tollgate.verifier.namespace.TenantProvisioner;
import dev.tollgate.verifier.policy.PolicyReader;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.retry.Backoff;
import dev.tollgate.verifier.testing.TriggerMessages;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier's RBAC against what its code does. Kubernetes lets a service account write a Role
 * (or bind one) only when it holds every permission in it itself (escalation prevention), so every
 * rule the code writes into a tenant namespace must be covered by the verifier's ClusterRole in
 * deploy/base/rbac.yaml; and the ClusterRole names exactly the verbs the code sends, recorded as
 * requests against fabric8's mock API server while the real launcher provisions and launches.
 */
@EnableKubernetesMockClient(crud = true)
class VerifierRbacTest {
  private static final Path RBAC = Path.of("..", "deploy", "base", "rbac.yaml");
  private static final String PEM =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWHbSaJZxP4wJ+5wHb0ZlOBmUMKy+\n"
          + "dfhkKDhkxlT/yUWzBdX5hM40rs5cBsx0h3D8x8kO+iqeTl3rYqZ5XlM2Nw==\n"
          + "-----END PUBLIC KEY-----\n";
  private static final String PINNED = "registry.example/acme/pipelines@sha256:" + "ab".repeat(32);

  static KubernetesClient client;
  static KubernetesMockServer server;

  @TempDir Path dir;

  /** Requests taken off the class-wide mock server so far, whichever test took them. */
  private static int taken;

  /** The designated source of pull Secret "registry" (deploy/base/rbac.yaml names it). */
  private static final String SOURCE_NAMESPACE = "tollgate-system";

  private static final String SOURCE_SECRET = "tollgate-tenant-pull-secret";

  /**
   * Reads of Secrets in the source namespace, taken off by {@link #drain()}: a Role with
   * resourceNames grants them, not the ClusterRole.
   */
  private static final List<String> sourceReads = new ArrayList<>();

  @BeforeAll
  static void tektonCrds() throws Exception {
    for (String crd : List.of("pipelineruns", "taskruns")) {
      try (InputStream yaml =
          VerifierRbacTest.class.getResourceAsStream("/tekton/" + crd + ".crd.yaml")) {
        client.apiextensions().v1().customResourceDefinitions().load(yaml).create();
      }
    }
  }

  @Test
  void tenantRoles_everyRuleTheCodeWrites_isHeldByTheVerifiersClusterRole() throws Exception {
    Decision d = launch("team-escalation", "escalation");
    assertThat(d).isInstanceOf(Decision.Admitted.class);

    List<Role> roles = client.rbac().roles().inNamespace("team-escalation").list().getItems();
    List<RoleBinding> bindings =
        client.rbac().roleBindings().inNamespace("team-escalation").list().getItems();
    assertThat(roles).isNotEmpty();
    assertThat(bindings).isNotEmpty();
    List<PolicyRule> held = verifierClusterRole().getRules();
    for (Role role : roles) {
      assertThat(uncovered(held, role.getRules()))
          .as("Role %s grants what the verifier does not hold", role.getMetadata().getName())
          .isEmpty();
    }
    // Binding a Role needs its permissions too: each binding names one of the Roles just checked.
    Set<String> checked = new TreeSet<>();
    roles.forEach(r -> checked.add(r.getMetadata().getName()));
    for (RoleBinding binding : bindings) {
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(checked).contains(binding.getRoleRef().getName());
    }
  }

  @Test
  void uncovered_configmapsGetAgainstTheVerifiersClusterRole_isAnEscalation() throws Exception {
    PolicyRule configMaps =
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("configmaps")
            .withVerbs("get")
            .build();

    assertThat(uncovered(verifierClusterRole().getRules(), List.of(configMaps)))
        .containsExactly("/configmaps get");
  }

  @Test
  void clusterRole_verbs_areExactlyTheVerbsTheCodeSends() throws Exception {
    Set<String> sent = new TreeSet<>();
    pullSecretSource("registry-v1");
    drain();
    // A new namespace: everything created (with a copy of the pull Secret), then the run.
    TriggerEvent first = TriggerMessages.push("acme/verbs", TriggerEvent.Permission.WRITE);
    launch("team-verbs", "verbs-1", first, "registry");
    sent.addAll(drain());
    // The same trigger again: the run exists (409) and is read back.
    Decision again = launch("team-verbs", "verbs-1", first);
    assertThat(again.reasons()).anyMatch(r -> r.code().equals("PIPELINE_RUN_EXISTS"));
    sent.addAll(drain());
    // Every default tampered with: each one repaired.
    tamper("team-verbs");
    drain();
    Decision repaired = launch("team-verbs", "verbs-2");
    sent.addAll(drain());
    assertThat(repaired).isInstanceOf(Decision.Admitted.class);
    assertThat(((Decision.Admitted) repaired).evidence().namespace().orElseThrow().repaired())
        .hasSize(6);

    assertThat(granted(verifierClusterRole().getRules())).isEqualTo(sent);
  }

  @Test
  void pullSecret_theOneSecretRead_isTheDesignatedSourceGrantedByNameInARole() throws Exception {
    pullSecretSource("registry-v2");
    drain();
    sourceReads.clear();

    Decision d = launch("team-pull", "pull", pullTrigger(), "registry");
    List<String> sent = drain();

    assertThat(d).isInstanceOf(Decision.Admitted.class);
    assertThat(sourceReads).containsExactly("/secrets get " + SOURCE_SECRET);
    Role sourceRole = role("tollgate-verifier-pull-secrets");
    assertThat(uncovered(sourceRole.getRules(), List.of(secretsGet(SOURCE_SECRET)))).isEmpty();
    // No other Secret is readable: not by the Role, not by the ClusterRole.
    assertThat(uncovered(sourceRole.getRules(), List.of(secretsGet("any-other-secret"))))
        .containsExactly("/secrets get any-other-secret");
    assertThat(uncovered(verifierClusterRole().getRules(), List.of(secretsGet(null))))
        .containsExactly("/secrets get");
    assertThat(sent).filteredOn(r -> r.startsWith("/secrets")).containsExactly("/secrets create");
    io.fabric8.kubernetes.api.model.ServiceAccount account =
        client
            .serviceAccounts()
            .inNamespace("team-pull")
            .withName(TenantProvisioner.RUN_SERVICE_ACCOUNT)
            .get();
    assertThat(account.getImagePullSecrets()).hasSize(1);
    String copy = account.getImagePullSecrets().get(0).getName();
    assertThat(copy).matches("registry-[0-9a-f]{10}");
    io.fabric8.kubernetes.api.model.Secret copied =
        client.secrets().inNamespace("team-pull").withName(copy).get();
    assertThat(copied.getData())
        .isEqualTo(
            client.secrets().inNamespace(SOURCE_NAMESPACE).withName(SOURCE_SECRET).get().getData());
    assertThat(copied.getMetadata().getLabels())
        .containsEntry(NamespaceRules.MANAGED_BY, NamespaceRules.TOLLGATE);
  }

  @Test
  void pullSecret_sourceRotated_newCopyAndServiceAccountRepointed() throws Exception {
    pullSecretSource("registry-v3");
    launch("team-rotate", "rotate-1", pullTrigger(), "registry");
    String before = pullSecretOf("team-rotate");

    pullSecretSource("registry-v4");
    Decision d = launch("team-rotate", "rotate-2", pullTrigger(), "registry");

    assertThat(d).isInstanceOf(Decision.Admitted.class);
    assertThat(pullSecretOf("team-rotate")).isNotEqualTo(before).startsWith("registry-");
  }

  @Test
  void pullSecret_notDesignated_deniedAndNoSecretRead() throws Exception {
    drain();
    sourceReads.clear();

    Decision d = launch("team-undesignated", "undesignated", pullTrigger(), "elsewhere");

    assertThat(d).isInstanceOf(Decision.Denied.class);
    assertThat(d.reasons().get(0).code()).isEqualTo("PULL_SECRET_NOT_DESIGNATED");
    drain();
    assertThat(sourceReads).isEmpty();
  }

  @Test
  void pullSecret_sourceMissing_deniedWithTheRemedy() throws Exception {
    client.secrets().inNamespace(SOURCE_NAMESPACE).withName(SOURCE_SECRET).delete();

    Decision d = launch("team-nosource", "nosource", pullTrigger(), "registry");

    assertThat(d).isInstanceOf(Decision.Denied.class);
    assertThat(d.reasons().get(0).code()).isEqualTo("PULL_SECRET_UNAVAILABLE");
    assertThat(d.reasons().get(0).message()).contains(SOURCE_NAMESPACE + "/" + SOURCE_SECRET);
    assertThat(d.reasons().get(0).message()).doesNotContain("registry-v");
  }

  private static TriggerEvent pullTrigger() {
    return TriggerMessages.push("acme/pull", TriggerEvent.Permission.WRITE);
  }

  private static String pullSecretOf(String ns) {
    return client
        .serviceAccounts()
        .inNamespace(ns)
        .withName(TenantProvisioner.RUN_SERVICE_ACCOUNT)
        .get()
        .getImagePullSecrets()
        .get(0)
        .getName();
  }

  /** The designated source, holding a docker config whose auth is {@code auth}. */
  private static void pullSecretSource(String auth) {
    String config =
        "{\"auths\":{\"registry.example\":{\"auth\":\""
            + java.util.Base64.getEncoder()
                .encodeToString(auth.getBytes(java.nio.charset.StandardCharsets.UTF_8))
            + "\"}}}";
    client
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName(SOURCE_SECRET)
                .withNamespace(SOURCE_NAMESPACE)
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .addToData(
                    ".dockerconfigjson",
                    java.util.Base64.getEncoder()
                        .encodeToString(config.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build())
        .createOr(existing -> existing.update());
  }

  private static PolicyRule secretsGet(String name) {
    PolicyRuleBuilder b =
        new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withVerbs("get");
    if (name != null) {
      b.withResourceNames(name);
    }
    return b.build();
  }

  @Test
  void launch_existingNamespaceNobodyHandedOver_deniedAndNothingWritten() throws Exception {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("team-foreign")
                .endMetadata()
                .build())
        .create();
    drain();

    Decision d = launch("team-foreign", "foreign");

    assertThat(d).isInstanceOf(Decision.Denied.class);
    assertThat(d.reasons().get(0).code()).isEqualTo("NAMESPACE_NOT_MANAGED");
    assertThat(d.reasons().get(0).message()).contains("team-foreign", "does not adopt it");
    // Besides the watch of the tenant objects starting (list, watch): one read, nothing written.
    assertThat(drain())
        .filteredOn(r -> !r.endsWith(" list") && !r.endsWith(" watch"))
        .containsExactly("/namespaces get");
    assertThat(client.resources(PipelineRun.class).inNamespace("team-foreign").list().getItems())
        .isEmpty();
  }

  /** Changes every repairable default of {@code ns} away from what it must be. */
  private static void tamper(String ns) {
    client
        .serviceAccounts()
        .inNamespace(ns)
        .withName(TenantProvisioner.RUN_SERVICE_ACCOUNT)
        .edit(
            s ->
                new io.fabric8.kubernetes.api.model.ServiceAccountBuilder(s)
                    .withAutomountServiceAccountToken(true)
                    .build());
    client
        .rbac()
        .roles()
        .inNamespace(ns)
        .withName(TenantProvisioner.RUN_SERVICE_ACCOUNT)
        .edit(
            r ->
                new io.fabric8.kubernetes.api.model.rbac.RoleBuilder(r)
                    .addNewRule()
                    .withApiGroups("")
                    .withResources("secrets")
                    .withVerbs("get")
                    .endRule()
                    .build());
    client
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .withName(TenantProvisioner.RUN_SERVICE_ACCOUNT)
        .edit(
            b ->
                new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder(b)
                    .addNewSubject()
                    .withKind("ServiceAccount")
                    .withName("default")
                    .withNamespace(ns)
                    .endSubject()
                    .build());
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withName("tollgate-default")
        .edit(
            p -> {
              p.getSpec().setPolicyTypes(List.of("Egress"));
              return p;
            });
    client
        .resourceQuotas()
        .inNamespace(ns)
        .withName("tollgate-quota")
        .edit(
            q -> {
              q.getSpec()
                  .getHard()
                  .put("pods", new io.fabric8.kubernetes.api.model.Quantity("999"));
              return q;
            });
    client
        .limitRanges()
        .inNamespace(ns)
        .withName("tollgate-limits")
        .edit(
            l -> {
              l.getSpec()
                  .getLimits()
                  .get(0)
                  .getDefault()
                  .put("cpu", new io.fabric8.kubernetes.api.model.Quantity("64"));
              return l;
            });
  }

  private Decision launch(String namespace, String name) throws Exception {
    return launch(
        namespace, name, TriggerMessages.push("acme/" + name, TriggerEvent.Permission.WRITE));
  }

  private Decision launch(String namespace, String name, TriggerEvent trigger) throws Exception {
    return launch(namespace, name, trigger, null);
  }

  private Decision launch(String namespace, String name, TriggerEvent trigger, String pullSecret)
      throws Exception {
    Files.createDirectories(dir.resolve("trust"));
    Files.writeString(dir.resolve("trust/k.pub"), PEM);
    Files.writeString(
        dir.resolve("trust/trust.yaml"),
        "bundleSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n"
            + "attestationSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n");
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(
        file,
        "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: "
            + name
            + "}\nspec:\n  match: {repositories: ['acme/*']}\n"
            + "  run: {bundle: 'registry.example/acme/pipelines:v1', pipeline: release, namespace: "
            + namespace
            + ", workspaces: [{name: source}]"
            + (pullSecret == null ? "" : ", pullSecret: " + pullSecret)
            + "}\n"
            + "  trust: {policyFile: trust/trust.yaml}\n");
    TriggerPolicy policy = PolicyReader.read(file);
    Ruling.Admit admit =
        new Ruling.Admit(
            new DecisionEvent.PolicyRef(policy.name(), policy.version()),
            policy,
            PINNED,
            Map.of(),
            List.of(),
            Decision.Evidence.of(TriggerPolicy.Mode.ENFORCE));
    // A launcher of its own each time: its watch lists what the namespace holds now.
    try (RunLauncher launcher = launcher()) {
      return launcher.launch(trigger, admit);
    }
  }

  private static RunLauncher launcher() {
    VerifierConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(VerifierConfig.class)
            .build()
            .getConfigMapping(VerifierConfig.class);
    ClusterClient cluster =
        new ClusterClient(config) {
          @Override
          public synchronized KubernetesClient get() {
            return client;
          }
        };
    return new RunLauncher(
        cluster,
        new TenantProvisioner.Defaults(
            List.of(),
            "1Gi",
            "20",
            "8",
            "16Gi",
            "1",
            "1Gi",
            List.of(
                dev.tollgate.verifier.namespace.PullSecretSource.parse(
                    "registry=" + SOURCE_NAMESPACE + "/" + SOURCE_SECRET))),
        NamespaceRules.DEFAULTS,
        new Backoff(1, Duration.ZERO, Duration.ZERO));
  }

  private static Role role(String name) throws Exception {
    try (InputStream in = Files.newInputStream(RBAC)) {
      return client.load(in).items().stream()
          .filter(Role.class::isInstance)
          .map(Role.class::cast)
          .filter(r -> name.equals(r.getMetadata().getName()))
          .findFirst()
          .orElseThrow();
    }
  }

  private static ClusterRole verifierClusterRole() throws Exception {
    try (InputStream in = Files.newInputStream(RBAC)) {
      List<HasMetadata> objects = client.load(in).items();
      return objects.stream()
          .filter(ClusterRole.class::isInstance)
          .map(ClusterRole.class::cast)
          .filter(r -> "tollgate-verifier".equals(r.getMetadata().getName()))
          .findFirst()
          .orElseThrow();
    }
  }

  /** The requests sent since the last drain, as {@code group/resource verb}. */
  private static List<String> drain() throws InterruptedException {
    List<String> out = new ArrayList<>();
    while (taken < server.getRequestCount()) {
      RecordedRequest r = server.takeRequest();
      taken++;
      if (r.getPath().startsWith("/api/v1/namespaces/" + SOURCE_NAMESPACE + "/secrets")) {
        sourceReads.add(
            permission(r.getMethod(), r.getPath())
                + " "
                + r.getPath().replaceFirst(".*/secrets/?", "").replaceFirst("\\?.*", ""));
        continue;
      }
      out.add(permission(r.getMethod(), r.getPath()));
    }
    return out;
  }

  /** The RBAC permission an API request needs, as the API server's request info resolves it. */
  static String permission(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    List<String> parts = new ArrayList<>(List.of(path.replaceFirst("^/", "").split("/")));
    String group;
    if (parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else if (parts.get(0).equals("apis")) {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    } else {
      throw new AssertionError("not a resource request: " + method + " " + pathAndQuery);
    }
    String resource;
    String name;
    if (parts.get(0).equals("namespaces") && parts.size() >= 3) {
      resource = parts.get(2);
      name = parts.size() > 3 ? parts.get(3) : null;
    } else {
      resource = parts.get(0);
      name = parts.size() > 1 ? parts.get(1) : null;
    }
    String verb =
        switch (method) {
          case "GET" ->
              name != null
                  ? "get"
                  : query.matches("(^|.*&)watch=(true|1)(&.*|$)") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name != null ? "delete" : "deletecollection";
          default -> throw new AssertionError("unexpected method " + method);
        };
    return group + "/" + resource + " " + verb;
  }

  /** Every {@code group/resource verb} the rules grant (no resource names in the verifier's). */
  private static Set<String> granted(List<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getResourceNames()).isNullOrEmpty();
      for (String g : rule.getApiGroups()) {
        for (String r : rule.getResources()) {
          for (String v : rule.getVerbs()) {
            out.add(g + "/" + r + " " + v);
          }
        }
      }
    }
    return out;
  }

  /**
   * What {@code requested} grants that {@code held} does not cover, by Kubernetes' escalation check
   * (pkg/registry/rbac/validation: each rule broken down into one group, resource, verb and
   * resource name, each covered by some held rule, {@code *} matching anything).
   */
  static List<String> uncovered(List<PolicyRule> held, List<PolicyRule> requested) {
    List<String> out = new ArrayList<>();
    for (PolicyRule rule : requested == null ? List.<PolicyRule>of() : requested) {
      assertThat(rule.getNonResourceURLs()).as("a Role holds no non-resource URLs").isNullOrEmpty();
      List<String> names =
          rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
              ? java.util.Collections.singletonList(null)
              : rule.getResourceNames();
      for (String g : rule.getApiGroups()) {
        for (String r : rule.getResources()) {
          for (String v : rule.getVerbs()) {
            for (String n : names) {
              if (held.stream().noneMatch(h -> covers(h, g, r, v, n))) {
                out.add(g + "/" + r + " " + v + (n == null ? "" : " " + n));
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static boolean covers(
      PolicyRule h, String group, String resource, String verb, String n) {
    boolean groupOk = h.getApiGroups().contains("*") || h.getApiGroups().contains(group);
    int slash = resource.indexOf('/');
    boolean resourceOk =
        h.getResources().contains("*")
            || h.getResources().contains(resource)
            || (slash > 0 && h.getResources().contains("*" + resource.substring(slash)));
    boolean verbOk = h.getVerbs().contains("*") || h.getVerbs().contains(verb);
    boolean nameOk =
        h.getResourceNames() == null
            || h.getResourceNames().isEmpty()
            || (n != null && h.getResourceNames().contains(n));
    return groupOk && resourceOk && verbOk && nameOk;
  }
}
