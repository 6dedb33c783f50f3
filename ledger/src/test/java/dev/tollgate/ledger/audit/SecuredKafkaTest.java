package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.writer.LedgerWriter;
import dev.tollgate.ledger.writer.WriterSettings;
import dev.tollgate.ledger.writer.WriterState;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's own clients on a broker that authenticates (SCRAM-SHA-512) and authorizes with the
 * ACLs of deploy/users/kafka-users.yaml: the writer appends with the ledger's user alone, and the
 * auditor reads the ledger with {@code --command-config} naming the auditor's user, and only with
 * it.
 */
class SecuredKafkaTest {

  private static final String TRIGGERS = EventType.TRIGGER.defaultTopic();
  private static final String LEDGER = EventType.LEDGER_RECORD.defaultTopic();
  private static final Map<String, String> PASSWORDS = new HashMap<>();

  private static EmbeddedKafka kafka;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka =
        EmbeddedKafka.builder()
            .secured(UUID.randomUUID().toString().replace("-", ""))
            .topics(TollgateTopics.all())
            .start();
    for (String user :
        List.of("tollgate-gateway", "tollgate-verifier", "tollgate-ledger", "tollgate-auditor")) {
      PASSWORDS.put(user, UUID.randomUUID().toString());
      kafka.upsertScramUser(user, PASSWORDS.get(user));
    }
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      admin.createAcls(kafkaUserAcls()).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void writerAndAuditor_ownCredentials_appendAndVerify() throws Exception {
    TestKeys.KeyFiles keys = TestKeys.generate(Files.createDirectories(dir.resolve("keys")));
    WriterSettings settings =
        new WriterSettings(
            kafka.bootstrapServers(),
            Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER),
            LEDGER,
            "tollgate-ledger",
            "tollgate-ledger-writer." + LEDGER,
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            CheckpointPolicy.defaults(LEDGER),
            Optional.empty(),
            as("tollgate-ledger"));
    try (LedgerWriter writer = new LedgerWriter(settings, keys.signer(), Clock.systemUTC())) {
      writer.start();
      sendTrigger("secured-1");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> writer.state() == WriterState.WRITING && writer.appendedCount() >= 1);
    }

    Run auditor = verify("tollgate-auditor", keys.publicKey());
    // The gateway may read the ledger (to show a decision's seq on the commit); the verifier may
    // not.
    Run verifier = verify("tollgate-verifier", keys.publicKey());

    assertThat(auditor.exitCode()).as(auditor.err()).isZero();
    assertThat(auditor.out()).startsWith("OK: ");
    assertThat(verifier.exitCode()).isEqualTo(2);
    assertThat(verifier.out()).isEmpty();
    assertThat(verifier.err()).doesNotContain(PASSWORDS.get("tollgate-verifier"));
  }

  @Test
  void auditor_withoutCommandConfig_cannotReadTheLedger() throws IOException {
    Run run =
        VerifyCommandTest.run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--public-key",
            TestKeys.generate(Files.createDirectories(dir.resolve("other"))).publicKey().toString(),
            "--timeout",
            "PT3S");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
  }

  private static Run verify(String user, Path publicKey) throws IOException {
    Path config = dir.resolve(user + ".properties");
    Properties properties = new Properties();
    as(user).forEach((k, v) -> properties.setProperty(k, String.valueOf(v)));
    try (OutputStream out = Files.newOutputStream(config)) {
      properties.store(out, null);
    }
    return VerifyCommandTest.run(
        "verify",
        "--bootstrap-server",
        kafka.bootstrapServers(),
        "--command-config",
        config.toString(),
        "--public-key",
        publicKey.toString(),
        "--timeout",
        "PT10S");
  }

  private static void sendTrigger(String id) throws Exception {
    Map<String, Object> props = new HashMap<>(as("tollgate-gateway"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  TRIGGERS,
                  null,
                  "acme/payments".getBytes(StandardCharsets.UTF_8),
                  Chains.triggerData("github:" + id),
                  Topics.ceHeaders(EventType.TRIGGER, id)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static Map<String, Object> as(String user) {
    return kafka.clientProperties(user, PASSWORDS.get(user));
  }

  /**
   * The ACLs the Strimzi KafkaUsers grant (the manifests test checks kafka-acls.sh grants the
   * same).
   */
  private static List<AclBinding> kafkaUserAcls() throws IOException {
    Path users =
        Path.of(System.getProperty("tollgate.root", "..")).resolve("deploy/users/kafka-users.yaml");
    List<AclBinding> acls = new ArrayList<>();
    try (MappingIterator<JsonNode> documents =
        new YAMLMapper().readerFor(JsonNode.class).readValues(users.toFile())) {
      for (JsonNode user : documents.readAll()) {
        String principal = "User:" + user.path("metadata").path("name").asText();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
          JsonNode resource = acl.path("resource");
          ResourcePattern pattern =
              new ResourcePattern(
                  switch (resource.path("type").asText()) {
                    case "topic" -> ResourceType.TOPIC;
                    case "group" -> ResourceType.GROUP;
                    case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                    default -> throw new IllegalStateException("unknown " + resource);
                  },
                  resource.path("name").asText(),
                  resource.path("patternType").asText().equals("prefix")
                      ? PatternType.PREFIXED
                      : PatternType.LITERAL);
          for (JsonNode operation : acl.path("operations")) {
            acls.add(
                new AclBinding(
                    pattern,
                    new AccessControlEntry(
                        principal,
                        "*",
                        AclOperation.fromString(operation.asText().toUpperCase(Locale.ROOT)),
                        AclPermissionType.ALLOW)));
          }
        }
      }
    }
    assertThat(acls).hasSizeGreaterThan(10);
    return acls;
  }
}
