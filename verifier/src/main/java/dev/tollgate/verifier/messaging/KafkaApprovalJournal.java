package dev.tollgate.verifier.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.SigningCanonicalJsonSerializer;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.authenticity.EventKeys;
import dev.tollgate.verifier.policy.ApprovalJournal;
import dev.tollgate.verifier.policy.ApprovalsUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * {@code /ok-to-test} approvals on a compacted Kafka topic ({@code tollgate.approvals.v1}), keyed
 * by {@code owner/repo#number}, the value the approved head SHA. Compaction keeps the latest
 * approval of each pull request; every replica reads the whole topic, so an approval written by one
 * replica, or before a restart, is seen by all. Writes wait for every in-sync replica; reads go to
 * the end offsets taken at the time of the lookup, so nothing written before it is missed.
 *
 * <p>Every approval is a CloudEvent ({@value #CE_TYPE}, id {@code <pull request>@<head sha>},
 * subject the pull request) signed with the verifier's own key; one counts only when it verifies
 * under a trusted verifier key (the own key, and those listed in {@code
 * tollgate.trust.verifier-keys} while a key rotates). Anything else on the topic, whoever could
 * write it, is skipped and counted in {@value #UNAUTHENTICATED}, logged by position only.
 */
@ApplicationScoped
public class KafkaApprovalJournal implements ApprovalJournal, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaApprovalJournal.class);

  /** The CloudEvents type of an approval on the approvals topic. */
  public static final String CE_TYPE = "dev.tollgate.approval.v1";

  /**
   * {@code tollgate_verifier_approvals_unauthenticated_total{why}}: approval records skipped
   * because no trusted verifier key signed them ({@code why}: unsigned, unknown-key, invalid).
   */
  public static final String UNAUTHENTICATED = "tollgate.verifier.approvals.unauthenticated";

  private static final URI SOURCE = URI.create("/tollgate/verifier");

  private final Map<String, Object> connection;
  private final String topic;
  private final Duration timeout;
  private final Clock clock;
  private final EventKeys keys;
  private final Map<String, Counter> unauthenticated = new LinkedHashMap<>();
  private KafkaProducer<String, Object> producer;
  private KafkaConsumer<String, byte[]> consumer;
  private List<TopicPartition> partitions;
  private final Map<String, String> preloaded = new LinkedHashMap<>();

  /** Reaches the brokers as every {@code kafka.*} setting says, credentials included. */
  @Inject
  public KafkaApprovalJournal(
      @Identifier("default-kafka-broker") Map<String, Object> kafka,
      VerifierConfig config,
      EventKeys keys,
      MeterRegistry meters) {
    this(
        KafkaClientSettings.connection(kafka),
        config.approvals().topic(),
        config.approvals().readTimeout(),
        keys,
        meters);
  }

  /** A journal on {@code topic}; for tests that start two replicas or restart one. */
  public KafkaApprovalJournal(
      String bootstrapServers, String topic, Duration timeout, EventKeys keys) {
    this(
        KafkaClientSettings.plaintext(bootstrapServers),
        topic,
        timeout,
        keys,
        new SimpleMeterRegistry());
  }

  /** A journal on {@code topic} reached with these connection and security settings. */
  public KafkaApprovalJournal(
      Map<String, Object> connection,
      String topic,
      Duration timeout,
      EventKeys keys,
      MeterRegistry meters) {
    this.connection = Map.copyOf(connection);
    this.topic = topic;
    this.timeout = timeout;
    this.clock = Clock.systemUTC();
    this.keys = keys;
    for (String why : new String[] {"unsigned", "unknown-key", "invalid"}) {
      unauthenticated.put(
          why,
          Counter.builder(UNAUTHENTICATED)
              .description(
                  "Approval records skipped because no trusted verifier key signed them, by why")
              .tag("why", why)
              .register(meters));
    }
  }

  @Override
  public synchronized void write(String pullRequest, String headSha) {
    ObjectNode value = Json.mapper().createObjectNode();
    value.put("pullRequest", pullRequest);
    value.put("headSha", headSha);
    Instant approvedAt = Instant.now(clock);
    value.put("approvedAt", approvedAt.toString());
    CloudEventAttributes attributes =
        new CloudEventAttributes(
            pullRequest + "@" + headSha,
            CE_TYPE,
            SOURCE,
            pullRequest,
            approvedAt,
            CloudEventAttributes.JSON);
    try {
      // The signing serializer signs these headers and the value's canonical bytes.
      producer()
          .send(
              new ProducerRecord<>(
                  topic, null, pullRequest, value, KafkaCloudEvents.headers(attributes)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while writing the approval of " + pullRequest, e);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw unavailable("the approval of " + pullRequest + " was not acknowledged", e);
    }
  }

  /**
   * Reads the topic once at startup, off the startup thread, so the first lookup does not pay for
   * reading every approval; what it read is handed out by the next {@link #readNew()}. A failure
   * here is only logged: lookups read the topic themselves and fail closed.
   */
  void onStart(@Observes StartupEvent event) {
    Thread t =
        new Thread(
            () -> {
              try {
                LOG.infof("%d /ok-to-test approvals read from %s", preload(), topic);
              } catch (ApprovalsUnavailableException e) {
                LOG.warnf("approvals not read at start: %s", e.getMessage());
              }
            },
            "tollgate-approvals-preload");
    t.setDaemon(true);
    t.start();
  }

  /** Reads to the end and keeps what it read for the next {@link #readNew()}, atomically. */
  private synchronized int preload() {
    Map<String, String> read = readNew();
    preloaded.putAll(read);
    return read.size();
  }

  @Override
  public synchronized Map<String, String> readNew() {
    try {
      KafkaConsumer<String, byte[]> c = consumer();
      Map<TopicPartition, Long> end = c.endOffsets(partitions, timeout);
      Instant deadline = Instant.now(clock).plus(timeout);
      Map<String, String> out = new LinkedHashMap<>(preloaded);
      preloaded.clear();
      while (behind(c, end)) {
        if (Instant.now(clock).isAfter(deadline)) {
          throw unavailable("topic " + topic + " was not read to its end in " + timeout, null);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          apply(r, out);
        }
      }
      return out;
    } catch (KafkaException e) {
      throw unavailable("topic " + topic + " cannot be read", e);
    }
  }

  private static boolean behind(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return true;
      }
    }
    return false;
  }

  private void apply(ConsumerRecord<String, byte[]> r, Map<String, String> out) {
    if (r.key() == null || r.value() == null) {
      return;
    }
    EventKeyRing verifiers = keys.verifiers();
    EventSignatures.Verification signature =
        EventSignatures.verify(r.headers(), r.value(), verifiers);
    if (!signature.verified()) {
      String why =
          signature instanceof EventSignatures.Unsigned
              ? "unsigned"
              : signature instanceof EventSignatures.UnknownKey ? "unknown-key" : "invalid";
      unauthenticated.get(why).increment();
      // The position only: the record's content is not the verifier's and is not repeated.
      LOG.warnf(
          "approval record %s-%d@%d ignored: not signed by a trusted verifier key (%s)",
          r.topic(), r.partition(), r.offset(), why);
      return;
    }
    try {
      if (!CE_TYPE.equals(KafkaCloudEvents.read(r.headers()).type())) {
        throw new MalformedJsonException("not an approval event");
      }
      JsonNode v = Json.readTree(r.value());
      String sha = v.path("headSha").asText("");
      if (r.key().equals(v.path("pullRequest").asText()) && sha.matches("[0-9a-f]{40,64}")) {
        out.put(r.key(), sha);
        return;
      }
    } catch (MalformedJsonException | NotACloudEventException e) {
      // fall through: skipped, as below
    }
    LOG.warnf(
        "approval record %s-%d@%d skipped: not an approval written by the verifier",
        r.topic(), r.partition(), r.offset());
  }

  private KafkaProducer<String, Object> producer() {
    if (producer == null) {
      Map<String, Object> p = new HashMap<>(connection);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-verifier-approvals");
      int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(timeout.toMillis(), 1000));
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) millis);
      p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
      p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis - 1);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      producer =
          new KafkaProducer<>(
              p, new StringSerializer(), new SigningCanonicalJsonSerializer(keys.own()));
    }
    return producer;
  }

  /** Assigned every partition (no consumer group: each replica reads all) from the beginning. */
  // Being reworked in issue 14. Closes a half-set-up consumer on any failure and rethrows it.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private KafkaConsumer<String, byte[]> consumer() {
    if (consumer == null) {
      Map<String, Object> p = new HashMap<>(connection);
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-verifier-approvals");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      KafkaConsumer<String, byte[]> c =
          new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
          throw unavailable(
              "topic " + topic + " does not exist; create it (deploy/topics) as a compacted topic",
              null);
        }
        partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
      } catch (RuntimeException e) {
        c.close(CloseOptions.timeout(Duration.ZERO));
        throw e;
      }
      consumer = c;
    }
    return consumer;
  }

  private ApprovalsUnavailableException unavailable(String why, Throwable cause) {
    return new ApprovalsUnavailableException(
        why + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"), cause);
  }

  /** Closes the clients; the next call opens new ones and reads the topic from the start. */
  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
      producer = null;
    }
    if (consumer != null) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
      consumer = null;
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    close();
  }
}
