package dev.tollgate.gateway.github;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.EventSigner;
import dev.tollgate.gateway.emit.KafkaClients;
import dev.tollgate.gateway.emit.TrustedGatewayKeys;
import dev.tollgate.gateway.github.JournalRecord.Genuine;
import dev.tollgate.gateway.github.JournalRecord.Reason;
import dev.tollgate.gateway.github.JournalRecord.Unauthenticated;
import dev.tollgate.gateway.github.JournalRecord.Unreadable;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.signing.EventKeyRing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * The deliveries every gateway replica accepted, shared through a compacted topic ({@code
 * tollgate.deliveries.v1} by default) keyed by trigger id (delivery id and hook id) whose value is
 * the SHA-256 digest of the body accepted under it. Each replica writes what Kafka acknowledged and
 * reads the whole topic into its {@link RecentDeliveries}, from the beginning at startup, so a
 * redelivery is recognized and a different body under a known delivery is refused on any replica
 * and after a restart, not only in the memory of the replica that first took it.
 *
 * <p>Until it has read the topic up to the end offsets it found at startup, it is not {@linkplain
 * #loaded() loaded}: the gate then answers 503 rather than take a delivery it might not recognize,
 * and readiness is down. Records older than {@code tollgate.gateway.deliveries.remember-for} are
 * not loaded; the topic's own retention (three days, GitHub's redelivery window) bounds it.
 *
 * <p>Each record is signed with the gateway's event key ({@link JournalRecord}), and a record
 * counts only if it verifies under a key of {@code tollgate.trust.gateway-keys} (or this gateway's
 * own): one produced onto the topic by anyone else with access to the broker is ignored, counted by
 * {@code tollgate.gateway.deliveries.journal.unauthenticated} with its reason and alerted, so it
 * can never make a genuine delivery be refused as a reused delivery id. A record that would teach
 * this replica nothing (its trigger id is already known here with the same digest: above all, the
 * replica's own records read back) is skipped before its signature is checked, and counted as
 * {@code known}: verifying it could change nothing, and a verification per delivery accepted was a
 * tenth of the gateway's CPU.
 *
 * <p>The reader asks the broker for at least {@value #FETCH_MIN_BYTES} bytes or waits up to {@value
 * #FETCH_MAX_WAIT_MS} ms, so it makes a few fetches a second instead of one per record: another
 * replica's delivery becomes known here within half a second, long before GitHub or a person
 * redelivers it.
 *
 * <p>Only the gateway's Kafka user may read or write this topic (deploy/users, kafka-acls.sh).
 */
// @Default too: a @Readiness bean is otherwise injectable only under that qualifier.
@Default
@Readiness
@Singleton
public class DeliveryJournal implements HealthCheck {

  private static final Logger LOG = Logger.getLogger(DeliveryJournal.class);

  static final int FETCH_MIN_BYTES = 65_536;
  static final int FETCH_MAX_WAIT_MS = 500;

  private final RecentDeliveries recent;
  private final Map<String, Object> connection;
  private final String topic;
  private final Duration rememberFor;
  private Duration loadWait = Duration.ZERO;
  private final Clock clock;
  private final EventSigner signer;
  private final EventKeyRing trusted;
  private final KafkaClients clients;
  private final Counter written;
  private final Counter notWritten;
  private final Counter loaded;
  private final Counter unreadable;
  private final Counter known;
  private final Map<Reason, Counter> unauthenticated = new EnumMap<>(Reason.class);

  private Producer<String, byte[]> producer;
  private Consumer<String, byte[]> consumer;
  private Thread reader;
  private volatile boolean isLoaded;
  private volatile boolean stopping;

  @Inject
  public DeliveryJournal(
      RecentDeliveries recent,
      GatewayConfig config,
      @Identifier("default-kafka-broker") Map<String, Object> kafka,
      MeterRegistry meters,
      EventSigner signer,
      TrustedGatewayKeys trusted,
      KafkaClients clients) {
    this(
        recent,
        KafkaClientSettings.connection(kafka),
        config.deliveries().topic(),
        config.deliveries().rememberFor(),
        Clock.systemUTC(),
        meters,
        signer,
        trusted.ring(),
        clients);
    this.loadWait = config.deliveries().loadWait();
  }

  /** For tests: a journal on its own connection settings, with Kafka's own clients. */
  public DeliveryJournal(
      RecentDeliveries recent,
      Map<String, Object> connection,
      String topic,
      Duration rememberFor,
      Clock clock,
      MeterRegistry meters,
      EventSigner signer,
      EventKeyRing trusted) {
    this(
        recent, connection, topic, rememberFor, clock, meters, signer, trusted, new KafkaClients());
  }

  private DeliveryJournal(
      RecentDeliveries recent,
      Map<String, Object> connection,
      String topic,
      Duration rememberFor,
      Clock clock,
      MeterRegistry meters,
      EventSigner signer,
      EventKeyRing trusted,
      KafkaClients clients) {
    this.recent = recent;
    this.clients = clients;
    this.connection = Map.copyOf(connection);
    this.topic = topic;
    this.rememberFor = rememberFor;
    this.clock = clock;
    this.signer = signer;
    this.trusted = trusted;
    this.written = meters.counter("tollgate.gateway.deliveries.journal", "outcome", "written");
    this.notWritten =
        meters.counter("tollgate.gateway.deliveries.journal", "outcome", "not_written");
    this.loaded = meters.counter("tollgate.gateway.deliveries.journal", "outcome", "loaded");
    this.unreadable =
        meters.counter("tollgate.gateway.deliveries.journal", "outcome", "unreadable");
    this.known = meters.counter("tollgate.gateway.deliveries.journal", "outcome", "known");
    for (Reason reason : Reason.values()) {
      unauthenticated.put(
          reason,
          meters.counter(
              "tollgate.gateway.deliveries.journal.unauthenticated", "reason", reason.label()));
    }
  }

  void onStart(@Observes StartupEvent started) {
    start();
    awaitLoaded(loadWait);
  }

  /** Waits up to {@code bound} for the journal to be loaded; whether it is. */
  public boolean awaitLoaded(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!isLoaded && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return isLoaded;
      }
    }
    if (!isLoaded) {
      LOG.warnf(
          "delivery journal %s not loaded after %s: deliveries are answered 503 until it is",
          topic, bound);
    }
    return isLoaded;
  }

  void onStop(@Observes ShutdownEvent stop) {
    close();
  }

  /** Starts reading the topic from its beginning, on a thread of its own. */
  public synchronized void start() {
    if (reader != null) {
      return;
    }
    recent.complete(false);
    Map<String, Object> producerSettings = new HashMap<>(connection);
    producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
    producerSettings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerSettings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    // Not awaited by any request: records wait up to 50 ms to share a produce request (at 2 ms
    // each delivery cost a request of its own below a few hundred a second).
    producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, "50");
    producerSettings.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-deliveries");
    producer =
        clients.producer(producerSettings, new StringSerializer(), new ByteArraySerializer());
    Map<String, Object> consumerSettings = new HashMap<>(connection);
    // No group: every replica reads every partition, and nothing is committed.
    consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumerSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-deliveries-reader");
    consumerSettings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
    consumerSettings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
    consumer =
        clients.consumer(consumerSettings, new StringDeserializer(), new ByteArrayDeserializer());
    reader = new Thread(this::read, "tollgate-delivery-journal");
    reader.setDaemon(true);
    reader.start();
  }

  /** Not ready until the journal is loaded: the gate would only answer 503. */
  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("delivery-journal")
        .status(isLoaded)
        .withData("topic", topic)
        .build();
  }

  /** Whether the topic was read up to where it ended at startup: only then is a check complete. */
  public boolean loaded() {
    return isLoaded;
  }

  /**
   * Records an accepted delivery here and for every replica. Not awaited: the trigger is already
   * acknowledged, and a record Kafka does not take is counted and logged (the redelivery is then
   * recognized only here, and downstream stays idempotent on the trigger id).
   */
  public void accepted(String triggerId, String payloadDigest) {
    recent.accepted(triggerId, payloadDigest);
    Producer<String, byte[]> out = producer;
    if (out == null) {
      notWritten.increment();
      return;
    }
    ProducerRecord<String, byte[]> record =
        JournalRecord.signed(
            topic, new JournalRecord.Accepted(triggerId, payloadDigest, clock.instant()), signer);
    try {
      out.send(
          record,
          (metadata, failure) -> {
            if (failure == null) {
              written.increment();
            } else {
              notWritten.increment();
              LOG.warnf(
                  "trigger=%s not recorded in %s: %s", triggerId, topic, failure.getMessage());
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      notWritten.increment();
      LOG.warnf("trigger=%s not recorded in %s: %s", triggerId, topic, e.getMessage());
    }
  }

  // The reader thread's guard: a failure it did not expect must be logged and end the thread
  // (readiness then stays or goes down), never vanish silently.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private void read() {
    try {
      List<TopicPartition> partitions = partitions();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = endOffsets(partitions);
      while (!stopping) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          load(r);
        }
        if (!isLoaded && caughtUp(end)) {
          isLoaded = true;
          recent.complete(true);
          LOG.infof("delivery journal %s loaded", topic);
        }
      }
    } catch (WakeupException e) {
      if (!stopping) {
        LOG.errorf("delivery journal %s: woken up unexpectedly", topic);
      }
    } catch (RuntimeException e) {
      isLoaded = false;
      recent.complete(false);
      LOG.errorf(e, "delivery journal %s stopped: deliveries are refused 503", topic);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private List<TopicPartition> partitions() {
    while (!stopping) {
      try {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
        LOG.warnf("delivery journal %s: topic not found yet", topic);
        pause();
      } catch (TimeoutException e) {
        LOG.warnf("delivery journal %s: no metadata yet (%s)", topic, e.getMessage());
      }
    }
    return List.of();
  }

  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) {
    while (true) {
      try {
        return consumer.endOffsets(partitions, Duration.ofSeconds(5));
      } catch (TimeoutException e) {
        if (stopping) {
          throw e;
        }
        LOG.warnf("delivery journal %s: no end offsets yet (%s)", topic, e.getMessage());
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    }
  }

  private boolean caughtUp(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void load(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() != null
        && recent.check(r.key(), new String(r.value(), StandardCharsets.US_ASCII))
            == RecentDeliveries.Seen.SAME) {
      known.increment(); // nothing to learn, whoever wrote it
      return;
    }
    JournalRecord.Read read = JournalRecord.read(r.key(), r.headers(), r.value(), trusted);
    if (read instanceof Unauthenticated ignored) {
      unauthenticated.get(ignored.reason()).increment();
      LOG.warnf(
          "delivery journal %s: record at %d/%d ignored, not written by a trusted gateway (%s: %s)",
          topic, r.partition(), r.offset(), ignored.reason().label(), ignored.why());
      return;
    }
    if (read instanceof Unreadable unreadableRecord) {
      unreadable.increment();
      LOG.warnf(
          "delivery journal %s: record at %d/%d skipped: %s",
          topic, r.partition(), r.offset(), unreadableRecord.why());
      return;
    }
    JournalRecord.Accepted accepted = ((Genuine) read).accepted();
    if (accepted.acceptedAt().isBefore(clock.instant().minus(rememberFor))) {
      return;
    }
    recent.accepted(accepted.triggerId(), accepted.payloadDigest());
    loaded.increment();
  }

  /** Stops reading and writing. */
  public synchronized void close() {
    stopping = true;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (reader != null) {
      try {
        reader.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** For logs: the topic, never a record. */
  @Override
  public String toString() {
    return "DeliveryJournal[" + topic + "]";
  }
}
