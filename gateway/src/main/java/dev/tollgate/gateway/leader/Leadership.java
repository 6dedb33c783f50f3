package dev.tollgate.gateway.leader;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Leadership among gateway replicas through Kafka's group membership: every replica subscribes, in
 * one consumer group, to a single-partition compacted topic ({@code tollgate.schedules.v1}); the
 * member the group coordinator assigns partition 0 leads. Kafka already gives the gateway what a
 * lease needs (a coordinator that notices a dead member within the session timeout and hands its
 * partition to a live one) without a Kubernetes API, which the gateway must not talk to.
 *
 * <p>The same topic is the leader's durable memory: keyed records (for schedules, the last tick
 * each one accounted for) that every leader reads from the beginning, up to the end offset it found
 * when it was assigned the partition, before it {@linkplain #leading() leads}. So a leader never
 * acts on less than what its predecessors wrote and acknowledged.
 *
 * <p>Assignment is cooperative-sticky: a replica joining does not take leadership from the current
 * leader. A leader paused longer than the session timeout may still act until its next poll tells
 * it the partition was lost; what it then repeats carries the same deterministic id (a schedule's
 * trigger id is its name and tick) and is recognized downstream.
 */
public final class Leadership {

  private static final Logger LOG = Logger.getLogger(Leadership.class);

  /** Wait before joining again after the group member failed. */
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final Map<String, Object> connection;
  private final String topic;
  private final String group;
  private final Duration sessionTimeout;
  private final TopicPartition partition;
  private final Map<String, String> records = new ConcurrentHashMap<>();
  private final AtomicLong term = new AtomicLong();

  private volatile boolean leading;
  private volatile boolean stopping;
  private long loadUntil = -1;
  private Producer<String, String> producer;
  private Map<String, Object> consumerSettings;
  private volatile KafkaConsumer<String, String> consumer;
  private Thread member;

  /**
   * @param connection the Kafka client connection settings (bootstrap servers, security)
   * @param topic the single-partition compacted coordination topic
   * @param group the consumer group every replica joins
   * @param sessionTimeout how long a silent leader keeps leadership before another replica takes it
   */
  public Leadership(
      Map<String, Object> connection, String topic, String group, Duration sessionTimeout) {
    this.connection = Map.copyOf(connection);
    this.topic = topic;
    this.group = group;
    this.sessionTimeout = sessionTimeout;
    this.partition = new TopicPartition(topic, 0);
  }

  /** Joins the group on a thread of its own; does not wait for leadership. */
  public synchronized void start() {
    if (member != null) {
      return;
    }
    Map<String, Object> producerSettings = new HashMap<>(connection);
    producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
    producerSettings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerSettings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    producerSettings.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-leader");
    producer =
        new KafkaProducer<>(producerSettings, new StringSerializer(), new StringSerializer());
    consumerSettings = new HashMap<>(connection);
    consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    consumerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-leader");
    // Offsets mean nothing here: every new leader reads the topic from its beginning.
    consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumerSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerSettings.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    consumerSettings.put(
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionTimeout.toMillis()));
    consumerSettings.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        Long.toString(Math.max(100, sessionTimeout.toMillis() / 3)));
    member = new Thread(this::run, "tollgate-leadership");
    member.setDaemon(true);
    member.start();
  }

  /**
   * Whether this replica leads now: it holds the partition and has read every record written before
   * it was assigned it.
   */
  public boolean leading() {
    return leading;
  }

  /**
   * How many times this replica has become leader; a caller that saw another term must not rely on
   * anything it decided in an earlier one.
   */
  public long term() {
    return term.get();
  }

  /** The latest record under {@code key}, as read or written while leading. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(records.get(key));
  }

  /**
   * Writes a record every later leader reads. Completes when Kafka acknowledged it (acks=all) and
   * fails with the producer's exception otherwise; never blocks longer than the producer's
   * max.block.ms.
   */
  public CompletableFuture<Void> put(String key, String value) {
    records.put(key, value);
    CompletableFuture<Void> done = new CompletableFuture<>();
    Producer<String, String> out = producer;
    if (out == null) {
      done.completeExceptionally(new IllegalStateException("leadership not started"));
      return done;
    }
    try {
      out.send(
          new ProducerRecord<>(topic, 0, key, value),
          (metadata, failure) -> {
            if (failure == null) {
              done.complete(null);
            } else {
              done.completeExceptionally(failure);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Joins the group again after a failure, until closed. */
  private void run() {
    while (!stopping) {
      consumer =
          new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new StringDeserializer());
      if (stopping) {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
        return;
      }
      if (member(consumer) && !stopping) {
        try {
          Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  // The member thread's guard: a failure it did not expect (the topic missing or not allowed, the
  // broker gone) must be logged and give up leadership, never vanish silently while this replica
  // goes on believing it leads; the thread then joins again.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private boolean member(KafkaConsumer<String, String> member) {
    boolean failed = false;
    try {
      member.subscribe(List.of(topic), new Rebalance());
      while (!stopping) {
        for (ConsumerRecord<String, String> r : member.poll(Duration.ofMillis(200))) {
          if (r.partition() == 0 && r.key() != null) {
            if (r.value() == null) {
              records.remove(r.key());
            } else {
              records.put(r.key(), r.value());
            }
          }
        }
        if (loadUntil >= 0 && member.position(partition) >= loadUntil) {
          loadUntil = -1;
          leading = true;
          LOG.infof(
              "leadership: this replica leads (term %d, group %s)", term.incrementAndGet(), group);
        }
      }
    } catch (WakeupException e) {
      if (!stopping) {
        failed = true;
        LOG.errorf("leadership: woken up unexpectedly; this replica no longer leads");
      }
    } catch (RuntimeException e) {
      failed = true;
      LOG.errorf(
          "leadership: the group member failed (%s); this replica no longer leads and joins"
              + " again in %s",
          e.toString(), RETRY);
    } finally {
      leading = false;
      loadUntil = -1;
      // Leaving the group hands the partition to another replica at once.
      member.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
    return failed;
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (assigned.contains(partition)) {
        records.clear();
        consumer.seekToBeginning(List.of(partition));
        loadUntil = consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
        LOG.infof(
            "leadership: assigned %s, reading %d records' offsets first", partition, loadUntil);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      give(revoked, "revoked");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      give(lost, "lost");
    }

    private void give(Collection<TopicPartition> partitions, String how) {
      if (partitions.contains(partition)) {
        leading = false;
        loadUntil = -1;
        LOG.infof("leadership: %s %s; this replica no longer leads", how, partition);
      }
    }
  }

  /** Leaves the group (another replica takes over at once) and stops writing. */
  public synchronized void close() {
    leading = false;
    // Written records first: the next leader reads up to the end offset it finds when assigned.
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    stopping = true;
    KafkaConsumer<String, String> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    if (member != null) {
      try {
        member.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** For logs: the topic and group, never a record. */
  @Override
  public String toString() {
    return "Leadership[" + topic + ", group " + group + "]";
  }
}
