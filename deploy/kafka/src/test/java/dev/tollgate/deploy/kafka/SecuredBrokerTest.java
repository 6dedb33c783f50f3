package dev.tollgate.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.AclCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing on Kafka counts unless its owner wrote it: a broker with SCRAM-SHA-512 and KRaft's
 * StandardAuthorizer, given the ACLs that deploy/topics/kafka-acls.sh grants (run here with Kafka's
 * own kafka-acls tool), lets each component do its work with its own credentials and nothing else.
 */
class SecuredBrokerTest {

  private static final String TRIGGERS = "tollgate.triggers.v1";
  private static final String REJECTIONS = "tollgate.rejections.v1";
  private static final String DECISIONS = "tollgate.decisions.v1";
  private static final String APPROVALS = "tollgate.approvals.v1";
  private static final String RUNS = "tollgate.runs.v1";
  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String SCHEDULES = TollgateTopics.SCHEDULES;
  private static final String LEDGER_TRANSACTION = "tollgate-ledger-writer." + LEDGER;
  private static final List<String> USERS =
      List.of("tollgate-gateway", "tollgate-verifier", "tollgate-ledger", "tollgate-auditor");
  private static final Map<String, String> OWNER =
      Map.of(
          TRIGGERS, "tollgate-gateway",
          REJECTIONS, "tollgate-gateway",
          DECISIONS, "tollgate-verifier",
          APPROVALS, "tollgate-verifier",
          RUNS, "tollgate-ledger",
          LEDGER, "tollgate-ledger",
          SCHEDULES, "tollgate-gateway");

  private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  private static EmbeddedKafka kafka;
  private static TemporaryDirectory work;

  @BeforeAll
  static void start() throws Exception {
    kafka =
        EmbeddedKafka.builder().secured("admin-" + random()).topics(TollgateTopics.all()).start();
    work = TemporaryDirectory.create("tollgate-acls-");
    for (String user : USERS) {
      kafka.upsertScramUser(user, password(user));
    }
    for (String[] call : scriptedAclCalls(work.path())) {
      runAclCommand(call);
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (work != null) {
      work.close();
    }
  }

  @Test
  void produce_eachOwnerWithItsOwnCredentials_isAcknowledged() throws Exception {
    for (Map.Entry<String, String> owned : OWNER.entrySet()) {
      try (KafkaProducer<String, String> producer = producer(as(owned.getValue()))) {
        assertThat(producer.send(record(owned.getKey())).get(30, TimeUnit.SECONDS).offset())
            .as("%s writes %s", owned.getValue(), owned.getKey())
            .isNotNegative();
      }
    }
  }

  @Test
  void produce_anyoneButTheOwner_isRefusedByTheBroker() {
    for (Map.Entry<String, String> owned : OWNER.entrySet()) {
      for (String user : USERS) {
        if (user.equals(owned.getValue())) {
          continue;
        }
        try (KafkaProducer<String, String> producer = producer(as(user))) {
          assertThat(
                  catchThrowable(
                      () -> producer.send(record(owned.getKey())).get(30, TimeUnit.SECONDS)))
              .as("%s writes %s", user, owned.getKey())
              .hasCauseInstanceOf(AuthorizationException.class);
        }
      }
    }
  }

  @Test
  void produce_withoutValidCredentials_isRefusedByTheBroker() {
    for (String topic : OWNER.keySet()) {
      try (KafkaProducer<String, String> producer =
          producer(
              kafka.clientProperties("tollgate-gateway", "not-" + password("tollgate-gateway")))) {
        assertThat(catchThrowable(() -> producer.send(record(topic)).get(30, TimeUnit.SECONDS)))
            .as("a wrong password writes %s", topic)
            .isInstanceOfAny(SaslAuthenticationException.class, ExecutionException.class)
            .satisfies(
                t -> assertThat(rootOrSelf(t)).isInstanceOf(SaslAuthenticationException.class));
      }
    }
    Map<String, Object> plaintext = new HashMap<>();
    plaintext.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<String, String> producer = producer(plaintext)) {
      assertThatThrownBy(() -> producer.send(record(TRIGGERS)).get(30, TimeUnit.SECONDS))
          .as("no credentials at all")
          .satisfies(t -> assertThat(rootOrSelf(t)).isInstanceOf(TimeoutException.class));
    }
  }

  @Test
  void consume_ownGroups_readAndCommit() throws Exception {
    // The gateways' leadership: their group on the coordination topic.
    assertThat(readInGroup("tollgate-gateway", "tollgate-gateway-leader", SCHEDULES)).isNull();
    assertThat(readInGroup("tollgate-verifier", "tollgate-verifier", TRIGGERS)).isNull();
    for (String topic : List.of(TRIGGERS, REJECTIONS, DECISIONS, RUNS)) {
      assertThat(readInGroup("tollgate-ledger", "tollgate-ledger", topic)).as(topic).isNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tollgate-gateway", "tollgate-verifier", "tollgate-ledger"})
  void consume_anotherComponentInTheGroup_isRefused(String group) throws Exception {
    for (String user : USERS) {
      if (!user.equals(group)) {
        assertThat(readInGroup(user, group, TRIGGERS))
            .as("%s joins %s", user, group)
            .isInstanceOf(AuthorizationException.class);
      }
    }
  }

  @Test
  void read_ledgerTopic_auditorLedgerAndGatewayOnly() {
    assertThat(readAssigned("tollgate-auditor", LEDGER)).isNull();
    assertThat(readAssigned("tollgate-ledger", LEDGER)).isNull();
    // The gateway reads it for the seq it shows on checks, without a group.
    assertThat(readAssigned("tollgate-gateway", LEDGER)).isNull();
    assertThat(readAssigned("tollgate-verifier", APPROVALS)).isNull();
    assertThat(readAssigned("tollgate-verifier", LEDGER))
        .isInstanceOf(AuthorizationException.class);
    assertThat(readAssigned("tollgate-auditor", TRIGGERS))
        .isInstanceOf(AuthorizationException.class);
  }

  @Test
  // Offsets are committed for the ledger's group without a consumer of it: the deprecated
  // constructor is the one way to name a group, and the ACL on that group is what is tested.
  @SuppressWarnings("removal")
  void transaction_ledgerWriterId_onlyTheLedgerCommits() throws Exception {
    Map<String, Object> ledger = as("tollgate-ledger");
    ledger.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, LEDGER_TRANSACTION);
    try (KafkaProducer<String, String> producer = producer(ledger)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(record(LEDGER));
      producer.sendOffsetsToTransaction(
          Map.of(new TopicPartition(TRIGGERS, 0), new OffsetAndMetadata(0)),
          new ConsumerGroupMetadata("tollgate-ledger"));
      producer.commitTransaction();
    }
    for (String user : USERS) {
      if (user.equals("tollgate-ledger")) {
        continue;
      }
      Map<String, Object> other = as(user);
      other.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, LEDGER_TRANSACTION);
      try (KafkaProducer<String, String> producer = producer(other)) {
        assertThatThrownBy(producer::initTransactions)
            .as("%s takes the ledger's transactional id", user)
            .isInstanceOf(AuthorizationException.class);
      }
    }
  }

  @Test
  void describeCluster_gatewayReadiness_answersWithoutClusterAcls() throws Exception {
    try (Admin admin = Admin.create(as("tollgate-gateway"))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
    }
  }

  /** Null when the consumer read (and committed) in the group, the failure otherwise. */
  private static Throwable readInGroup(String user, String group, String topic) {
    Map<String, Object> props = as(user);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200));
      }
      consumer.commitSync(Duration.ofSeconds(10));
      return consumer.assignment().isEmpty() ? new AssertionError("never assigned") : null;
    } catch (KafkaException e) {
      return e;
    }
  }

  /** Null when the consumer read the topic without a group, the failure otherwise. */
  private static Throwable readAssigned(String user, String topic) {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(as(user), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      consumer.poll(Duration.ofMillis(500));
      consumer.position(partitions.get(0), Duration.ofSeconds(10));
      return null;
    } catch (KafkaException e) {
      return e;
    }
  }

  private static Map<String, Object> as(String user) {
    return kafka.clientProperties(user, password(user));
  }

  private static KafkaProducer<String, String> producer(Map<String, Object> settings) {
    Map<String, Object> props = new HashMap<>(settings);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static ProducerRecord<String, String> record(String topic) {
    return new ProducerRecord<>(topic, "key", "{\"forged\":true}");
  }

  private static Throwable rootOrSelf(Throwable t) {
    Throwable cause = t;
    while (cause instanceof ExecutionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * The kafka-acls invocations deploy/topics/kafka-acls.sh makes, recorded by a stand-in for the
   * tool, each with the admin's client settings as {@code --command-config}.
   */
  private static List<String[]> scriptedAclCalls(Path dir)
      throws IOException, InterruptedException {
    Path adminConfig = dir.resolve("admin.properties");
    Properties admin = new Properties();
    kafka.clientProperties().forEach((k, v) -> admin.setProperty(k, String.valueOf(v)));
    try (OutputStream out = Files.newOutputStream(adminConfig)) {
      admin.store(out, null);
    }
    Path record = dir.resolve("calls");
    Path tool = dir.resolve("kafka-acls");
    Files.writeString(
        tool,
        "#!/bin/sh\n{ printf '%s\\n' \"$@\"; echo '--end--'; } >> \"$TOLLGATE_ACLS_RECORD\"\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    Path script =
        Path.of(System.getProperty("tollgate.root", "../.."))
            .resolve("deploy/topics/kafka-acls.sh");
    ProcessBuilder run =
        new ProcessBuilder("bash", script.toString(), "--command-config", adminConfig.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output").toFile());
    run.environment().put("KAFKA_ACLS", tool.toString());
    run.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    run.environment().put("TOLLGATE_ACLS_RECORD", record.toString());
    Process process = run.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("output"))).isZero();
    List<String[]> calls = new ArrayList<>();
    List<String> call = new ArrayList<>();
    for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
      if (line.equals("--end--")) {
        calls.add(call.toArray(String[]::new));
        call = new ArrayList<>();
      } else {
        call.add(line);
      }
    }
    assertThat(calls).hasSizeGreaterThan(10);
    return calls;
  }

  /** Kafka's own kafka-acls, in this JVM; its failure exits, which here throws instead. */
  private static void runAclCommand(String[] args) {
    Exit.setExitProcedure(
        (status, message) -> {
          throw new IllegalStateException("kafka-acls exited " + status + ": " + message);
        });
    try {
      AclCommand.main(args);
    } finally {
      Exit.resetExitProcedure();
    }
  }

  private static String password(String user) {
    return PASSWORDS.computeIfAbsent(user, u -> random());
  }

  private static String random() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
