package dev.tollgate.verifier.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.launch.PipelineRun;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.testing.ClusterResource;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.TestCluster;
import dev.tollgate.verifier.testing.TestEventKeys;
import dev.tollgate.verifier.testing.TriggerMessages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the end-to-end tests of the verifier service share: triggers on a real broker, bundles in a
 * real registry, policies in a watched directory, PipelineRuns and tenant namespaces in fabric8's
 * mock API server (CRUD mode, Tekton v1 CRDs registered). Each test has its own repository, policy
 * and namespace. The subclasses are split by concern; the fast tier of the same rules is {@code
 * decide.DecisionFixturesTest}.
 */
abstract class EndToEndTestBase {
  static final String SHA_A = "a".repeat(40);
  static final String SHA_B = "b".repeat(40);
  static SignedBundles bundles;
  static SignedBundles spare;
  private static TestCluster bundlesOf;

  // Quarkus injects test resources and beans into fields the test class itself declares: each
  // subclass declares them and hands them over here.

  /** The broker of this test class. */
  abstract EmbeddedKafka kafka();

  /** The registry, API server and policy directory of this test class. */
  abstract TestCluster cluster();

  /** The service's policy set. */
  abstract PolicySet policies();

  KafkaConsumer<String, byte[]> decisions;
  final List<Path> written = new ArrayList<>();
  final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    synchronized (EndToEndTestBase.class) {
      // One registry per test class (Quarkus restarts the test resources for each): bundles and
      // trust files of another class's registry are of no use here.
      if (bundles == null || bundlesOf != cluster()) {
        bundlesOf = cluster();
        spare = null;
        bundles = new SignedBundles(cluster().registry());
        bundles.writeTrust(cluster().policies().resolve("trust"));
      }
    }
    Map<String, Object> props = kafka().clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    decisions = new KafkaConsumer<>(props);
    decisions.subscribe(List.of(EventType.DECISION.defaultTopic()));
  }

  @AfterEach
  void tearDown() throws Exception {
    decisions.close();
    for (Path p : written) {
      Files.deleteIfExists(p);
    }
    policies().reload();
  }

  SignedBundles spareBundles() throws Exception {
    synchronized (EndToEndTestBase.class) {
      if (spare == null) {
        spare = new SignedBundles(cluster().spare());
        spare.writeTrust(cluster().policies().resolve("trust-spare"));
      }
      return spare;
    }
  }

  /** Creates the watched ConfigMap with {@code data}, or replaces the data of the one there. */
  void configMap(Map<String, String> data) {
    var configMaps =
        cluster().client().configMaps().inNamespace(ClusterResource.CONFIG_MAP_NAMESPACE);
    if (configMaps.withName(ClusterResource.CONFIG_MAP).get() == null) {
      configMaps
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(ClusterResource.CONFIG_MAP)
                  .endMetadata()
                  .withData(data)
                  .build())
          .create();
    } else {
      configMaps
          .withName(ClusterResource.CONFIG_MAP)
          .edit(
              c -> {
                c.setData(data);
                return c;
              });
    }
  }

  static double metric(String series) {
    String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  List<String> names() {
    return policies().policies().stream().map(p -> p.name()).toList();
  }

  static void assertDenied(DecisionEvent d, String code) {
    assertThat(d.outcome()).as(d.reasons().toString()).isEqualTo(DecisionEvent.Outcome.DENIED);
    assertThat(d.pipelineRun()).isNull();
    assertThat(d.reasons()).extracting(Reason::code).contains(code);
  }

  List<PipelineRun> runs(String namespace) {
    return cluster().client().resources(PipelineRun.class).inNamespace(namespace).list().getItems();
  }

  static String repo() {
    return "acme/svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  void policy(
      String name, String repo, String namespace, String bundle, String mode, String extraParams)
      throws Exception {
    writePolicy(name, repo, namespace, bundle, mode, extraParams);
    policies().reload();
    assertThat(policies().errors()).isEmpty();
    assertThat(names()).contains(name);
  }

  Path writePolicy(
      String name, String repo, String namespace, String bundle, String mode, String extraParams)
      throws Exception {
    return writePolicy(name, repo, namespace, bundle, mode, extraParams, "trust/trust.yaml");
  }

  Path writePolicy(
      String name,
      String repo,
      String namespace,
      String bundle,
      String mode,
      String extraParams,
      String trustFile)
      throws Exception {
    Path file = cluster().policies().resolve(name + ".yaml");
    written.add(file);
    Files.writeString(
        file, policyYaml(name, repo, namespace, bundle, mode, extraParams, trustFile));
    return file;
  }

  static String policyYaml(
      String name,
      String repo,
      String namespace,
      String bundle,
      String mode,
      String extraParams,
      String trustFile) {
    return "apiVersion: tollgate.dev/v1alpha1\n"
        + "kind: TriggerPolicy\n"
        + "metadata:\n"
        + "  name: "
        + name
        + "\n"
        + "spec:\n"
        + "  mode: "
        + mode
        + "\n"
        + "  match:\n"
        + "    repositories: ['"
        + repo
        + "']\n"
        + "    events: [push, pull_request, issue_comment]\n"
        + "    condition: \"trigger.event != 'push' || trigger.ref == 'refs/heads/main'\"\n"
        + "  sender:\n"
        + "    minPermission: write\n"
        + "  run:\n"
        + "    bundle: "
        + bundle
        + "\n"
        + "    pipeline: release\n"
        + "    namespace: "
        + namespace
        + "\n"
        + "    timeout: PT30M\n"
        + "    workspaces:\n"
        + "      - {name: source, kind: tenantClaim}\n"
        + "    params:\n"
        + "      revision: $(trigger.headSha)\n"
        + "      repository: $(body.repository.full_name)\n"
        + extraParams
        + "  trust:\n"
        + "    policyFile: "
        + trustFile
        + "\n";
  }

  static TriggerEvent.Identity writer() {
    return TriggerEvent.Identity.verified("MEMBER", false, TriggerEvent.Permission.WRITE);
  }

  static TriggerEvent push(String repo, TriggerEvent.Identity identity) {
    return trigger("push", null, repo, "refs/heads/main", SHA_A, identity, null, null);
  }

  static TriggerEvent pullRequest(String repo, long number, String sha) {
    return trigger(
        "pull_request",
        "synchronize",
        repo,
        "refs/heads/main",
        sha,
        TriggerEvent.Identity.verified(
            "FIRST_TIME_CONTRIBUTOR", true, TriggerEvent.Permission.READ),
        new TriggerEvent.PullRequest(number, "stranger/fork"),
        null);
  }

  static TriggerEvent okToTest(String repo, long number, String sha) {
    return trigger(
        "issue_comment",
        "created",
        repo,
        null,
        sha,
        TriggerEvent.Identity.verified("MEMBER", true, TriggerEvent.Permission.MAINTAIN),
        new TriggerEvent.PullRequest(number, "stranger/fork"),
        new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 42));
  }

  static TriggerEvent trigger(
      String event,
      String action,
      String repo,
      String ref,
      String headSha,
      TriggerEvent.Identity identity,
      TriggerEvent.PullRequest pr,
      TriggerEvent.Approval approval) {
    String delivery = UUID.randomUUID().toString();
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.putObject("repository").put("full_name", repo);
    return new TriggerEvent(
        Ids.githubTrigger(delivery),
        TriggerEvent.Source.GITHUB,
        Instant.now(),
        event,
        action,
        repo,
        ref,
        null,
        null,
        headSha,
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery(delivery, null, null),
        Sha256.digest(new byte[0]),
        0,
        payload,
        false,
        identity,
        pr,
        approval,
        null,
        null,
        null);
  }

  DecisionEvent decide(TriggerEvent trigger) throws Exception {
    return decideAgain(trigger, 1);
  }

  /** Sends the trigger (again) and returns the {@code n}th decision for it. */
  DecisionEvent decideAgain(TriggerEvent trigger, int n) throws Exception {
    Map<String, Object> props = kafka().clientProperties();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    byte[] value = CanonicalJson.bytes(trigger);
    Headers headers = TriggerMessages.headers(trigger);
    TestEventKeys.signAsGateway(headers, value);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      producer
          .send(
              new ProducerRecord<>(
                  EventType.TRIGGER.defaultTopic(), null, trigger.repository(), value, headers))
          .get();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              decisions.poll(Duration.ofMillis(200)).forEach(seen::add);
              return mine(trigger).size() >= n;
            });
    return Json.read(mine(trigger).get(n - 1).value(), DecisionEvent.class);
  }

  List<ConsumerRecord<String, byte[]>> mine(TriggerEvent trigger) {
    return seen.stream().filter(r -> trigger.triggerId().equals(r.key())).toList();
  }
}
