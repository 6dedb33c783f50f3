package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.manifests.Kustomize.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing on Kafka counts unless its owner wrote it: one Kafka user per component, each allowed
 * only what it does, the same in the Strimzi KafkaUsers and in the plain kafka-acls script.
 */
class KafkaUsersTest {

  private static final Set<String> COMPONENTS = Set.of("gateway", "verifier", "ledger");

  /** One allowed operation on one resource, as both Strimzi and kafka-acls can say it. */
  record Acl(String user, String type, String name, String pattern, String operation) {}

  static Stream<String> deployingOverlays() {
    return Stream.of("overlays/release", "overlays/kyverno");
  }

  @ParameterizedTest
  @MethodSource("deployingOverlays")
  void users_everyDeployingOverlay_holdsOneAuthenticatedUserPerComponent(String overlay) {
    List<Map<String, Object>> users = Kustomize.render(overlay).ofKind("KafkaUser");

    assertThat(users)
        .extracting(u -> metadata(u).get("name"))
        .containsExactlyInAnyOrder(
            "tollgate-gateway", "tollgate-verifier", "tollgate-ledger", "tollgate-auditor");
    for (Map<String, Object> user : users) {
      assertThat(metadata(user).get("namespace")).isEqualTo("tollgate-system");
      assertThat(labels(user)).containsEntry("strimzi.io/cluster", "tollgate-kafka");
      assertThat(map(spec(user), "authentication").get("type"))
          .isIn("scram-sha-512", "tls", "tls-external");
      assertThat(map(spec(user), "authorization").get("type")).isEqualTo("simple");
    }
  }

  @Test
  void acls_writesGroupsAndTransactions_belongToTheirOwnerOnly() {
    Set<Acl> acls = strimziAcls();

    assertThat(writers(acls, "tollgate.triggers.v1")).containsExactly("tollgate-gateway");
    assertThat(writers(acls, "tollgate.rejections.v1")).containsExactly("tollgate-gateway");
    assertThat(writers(acls, "tollgate.decisions.v1")).containsExactly("tollgate-verifier");
    assertThat(writers(acls, "tollgate.approvals.v1")).containsExactly("tollgate-verifier");
    assertThat(writers(acls, "tollgate.runs.v1")).containsExactly("tollgate-ledger");
    assertThat(writers(acls, "tollgate.ledger.v1")).containsExactly("tollgate-ledger");
    // The gateway reads the ledger (the seq shown on checks) and writes nothing to it.
    assertThat(acls)
        .contains(
            new Acl("tollgate-gateway", "topic", "tollgate.ledger.v1", "literal", "Read"),
            new Acl("tollgate-gateway", "topic", "tollgate.ledger.v1", "literal", "Describe"));
    assertThat(writers(acls, "tollgate.deliveries.v1")).containsExactly("tollgate-gateway");
    assertThat(acls)
        .filteredOn(a -> a.name().equals("tollgate.deliveries.v1"))
        .extracting(Acl::user)
        .containsOnly("tollgate-gateway");
    assertThat(writers(acls, "tollgate.schedules.v1")).containsExactly("tollgate-gateway");
    assertThat(acls)
        .filteredOn(a -> a.name().equals("tollgate.schedules.v1"))
        .extracting(Acl::user)
        .containsOnly("tollgate-gateway");
    assertThat(users(acls, "group"))
        .containsExactlyInAnyOrder("tollgate-gateway", "tollgate-verifier", "tollgate-ledger");
    assertThat(acls.stream().filter(a -> a.type().equals("group")))
        .allMatch(
            a ->
                (a.name().equals(a.user()) || a.name().startsWith(a.user() + "-"))
                    && a.pattern().equals("literal"));
    assertThat(users(acls, "transactionalId")).containsExactly("tollgate-ledger");
    assertThat(acls)
        .filteredOn(a -> a.user().equals("tollgate-auditor"))
        .containsExactlyInAnyOrder(
            new Acl("tollgate-auditor", "topic", "tollgate.ledger.v1", "literal", "Read"),
            new Acl("tollgate-auditor", "topic", "tollgate.ledger.v1", "literal", "Describe"));
    assertThat(acls)
        .noneMatch(a -> a.operation().equals("All") || a.name().contains("*"))
        .noneMatch(a -> a.type().equals("cluster"))
        .noneMatch(a -> a.pattern().equals("prefix") && !a.type().equals("transactionalId"));
  }

  @Test
  void acls_groupAndTransactionalIds_matchWhatTheServicesUse() throws IOException {
    Path root = Kustomize.deployDir().getParent();
    String verifier =
        Files.readString(root.resolve("verifier/src/main/resources/application.properties"));
    String ledgerConfig =
        Files.readString(
            root.resolve("ledger/src/main/java/dev/tollgate/ledger/LedgerConfig.java"));
    String gatewayConfig =
        Files.readString(
            root.resolve("gateway/src/main/java/dev/tollgate/gateway/GatewayConfig.java"));
    Set<Acl> acls = strimziAcls();

    Matcher gatewayGroup =
        Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s+String consumerGroup\\(\\)")
            .matcher(gatewayConfig);
    assertThat(gatewayGroup.find()).isTrue();
    Matcher verifierGroup =
        Pattern.compile("(?m)^mp\\.messaging\\.incoming\\.triggers\\.group\\.id=(\\S+)$")
            .matcher(verifier);
    assertThat(verifierGroup.find()).isTrue();
    Matcher ledgerGroup =
        Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s+String groupId\\(\\)")
            .matcher(ledgerConfig);
    assertThat(ledgerGroup.find()).isTrue();
    Matcher leaderGroup =
        Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s+String group\\(\\)")
            .matcher(gatewayConfig);
    assertThat(leaderGroup.find()).isTrue();
    Matcher transactionalId =
        Pattern.compile(
                "@WithDefault\\(\"([^\"$]+)\\$\\{[^}]+}\"\\)\\s+String transactionalId\\(\\)")
            .matcher(ledgerConfig);
    assertThat(transactionalId.find()).isTrue();

    assertThat(acls)
        .contains(
            new Acl("tollgate-gateway", "group", gatewayGroup.group(1), "literal", "Read"),
            new Acl("tollgate-gateway", "group", leaderGroup.group(1), "literal", "Read"),
            new Acl("tollgate-verifier", "group", verifierGroup.group(1), "literal", "Read"),
            new Acl("tollgate-ledger", "group", ledgerGroup.group(1), "literal", "Read"),
            new Acl(
                "tollgate-ledger", "transactionalId", transactionalId.group(1), "prefix", "Write"));
  }

  @Test
  void acls_script_grantsExactlyWhatTheKafkaUsersGrant(@TempDir Path dir) throws Exception {
    Path record = dir.resolve("calls");
    Path tool = dir.resolve("kafka-acls");
    Files.writeString(
        tool,
        "#!/bin/sh\n{ printf '%s\\n' \"$@\"; echo '--end--'; } >> \"$TOLLGATE_ACLS_RECORD\"\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    ProcessBuilder run =
        new ProcessBuilder(
                "bash",
                Kustomize.deployDir().resolve("topics/kafka-acls.sh").toString(),
                "--command-config",
                "admin.properties")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output").toFile());
    run.environment().put("KAFKA_ACLS", tool.toString());
    run.environment().put("KAFKA_BOOTSTRAP_SERVERS", "broker:9093");
    run.environment().put("TOLLGATE_ACLS_RECORD", record.toString());
    Process process = run.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as(Files.readString(dir.resolve("output"), StandardCharsets.UTF_8))
        .isZero();

    List<List<String>> calls = new ArrayList<>();
    List<String> call = new ArrayList<>();
    for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
      if (line.equals("--end--")) {
        calls.add(call);
        call = new ArrayList<>();
      } else {
        call.add(line);
      }
    }
    Set<Acl> scripted = new HashSet<>();
    for (List<String> args : calls) {
      assertThat(args.subList(0, 5))
          .containsExactly(
              "--bootstrap-server", "broker:9093", "--command-config", "admin.properties", "--add");
      scripted.addAll(parse(args));
    }

    assertThat(scripted).isEqualTo(strimziAcls());
  }

  @Test
  void deployments_eachService_authenticatesAsItsOwnUserOverTls() {
    Rendered base = Kustomize.render("base");
    Map<String, Object> config =
        base.ofKind("ConfigMap").stream()
            .filter(c -> "tollgate-config".equals(metadata(c).get("name")))
            .findFirst()
            .orElseThrow();

    assertThat(map(config, "data"))
        .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
        .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/tollgate/kafka-ca/ca.crt");
    for (String component : COMPONENTS) {
      Deployment deployment =
          base.ofType(Deployment.class).stream()
              .filter(d -> ("tollgate-" + component).equals(d.getMetadata().getName()))
              .findFirst()
              .orElseThrow();
      Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      EnvVar jaas =
          container.getEnv().stream()
              .filter(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG"))
              .findFirst()
              .orElseThrow();
      assertThat(jaas.getValue()).isNull();
      assertThat(jaas.getValueFrom().getSecretKeyRef().getName())
          .isEqualTo("tollgate-" + component);
      assertThat(jaas.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("sasl.jaas.config");
      assertThat(container.getEnv())
          .extracting(EnvVar::getName)
          .contains(
              "KAFKA_SECURITY_PROTOCOL",
              "KAFKA_SASL_MECHANISM",
              "KAFKA_SSL_TRUSTSTORE_TYPE",
              "KAFKA_SSL_TRUSTSTORE_LOCATION");
      assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
          .anyMatch(
              v ->
                  v.getSecret() != null
                      && "tollgate-kafka-ca".equals(v.getSecret().getSecretName()));
      assertThat(container.getVolumeMounts())
          .anyMatch(m -> m.getMountPath().equals("/etc/tollgate/kafka-ca") && m.getReadOnly());
    }
  }

  /** The ACLs of kafka-acls' arguments: one principal, one resource, several operations. */
  private static List<Acl> parse(List<String> args) {
    String user = null;
    String type = null;
    String name = null;
    String pattern = null;
    List<String> operations = new ArrayList<>();
    for (int i = 5; i < args.size(); i += 2) {
      String value = args.get(i + 1);
      switch (args.get(i)) {
        case "--allow-principal" -> user = value.substring("User:".length());
        case "--topic" -> {
          type = "topic";
          name = value;
        }
        case "--group" -> {
          type = "group";
          name = value;
        }
        case "--transactional-id" -> {
          type = "transactionalId";
          name = value;
        }
        case "--resource-pattern-type" -> pattern = value.equals("prefixed") ? "prefix" : value;
        case "--operation" -> operations.add(value);
        default -> throw new AssertionError("unexpected kafka-acls option " + args.get(i));
      }
    }
    List<Acl> acls = new ArrayList<>();
    for (String operation : operations) {
      acls.add(new Acl(user, type, name, pattern, operation));
    }
    return acls;
  }

  private static Set<Acl> strimziAcls() {
    Set<Acl> acls = new HashSet<>();
    for (Map<String, Object> user : Kustomize.render("users").ofKind("KafkaUser")) {
      String name = (String) metadata(user).get("name");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rules =
          (List<Map<String, Object>>) map(spec(user), "authorization").get("acls");
      for (Map<String, Object> rule : rules) {
        assertThat(rule.get("type")).as("deny rules are not used").isIn(null, "allow");
        assertThat(rule.get("host")).isIn(null, "*");
        Map<String, Object> resource = map(rule, "resource");
        @SuppressWarnings("unchecked")
        List<String> operations = (List<String>) rule.get("operations");
        for (String operation : operations) {
          acls.add(
              new Acl(
                  name,
                  (String) resource.get("type"),
                  (String) resource.get("name"),
                  (String) resource.getOrDefault("patternType", "literal"),
                  operation));
        }
      }
    }
    return acls;
  }

  private static Set<String> writers(Set<Acl> acls, String topic) {
    return acls.stream()
        .filter(a -> a.type().equals("topic") && a.name().equals(topic))
        .filter(a -> a.operation().equals("Write"))
        .map(Acl::user)
        .collect(Collectors.toSet());
  }

  private static Set<String> users(Set<Acl> acls, String type) {
    return acls.stream()
        .filter(a -> a.type().equals(type))
        .map(Acl::user)
        .collect(Collectors.toSet());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> object, String key) {
    return (Map<String, Object>) object.get(key);
  }

  private static Map<String, Object> spec(Map<String, Object> object) {
    return map(object, "spec");
  }

  private static Map<String, Object> metadata(Map<String, Object> object) {
    return map(object, "metadata");
  }

  private static Map<String, Object> labels(Map<String, Object> object) {
    return map(metadata(object), "labels");
  }
}
