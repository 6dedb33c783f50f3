package dev.tollgate.verifier.messaging;

import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.verifier.handling.TriggerHandler;
import dev.tollgate.verifier.testing.TestEventKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A second verifier replica in the test's JVM: a plain KafkaConsumer in the service's consumer
 * group, handing each trigger to its own {@link TriggerConsumer} over the handler it is given, and
 * writing the decision before committing the batch, as the connector does. It can be killed after
 * {@code n} triggers, in the middle of a batch: it stops at once and commits nothing of that batch,
 * so the triggers it decided there (runs created, decisions written) are handled again by whichever
 * replica is given its partitions.
 */
public final class SecondVerifier implements AutoCloseable {
  private final TriggerConsumer consumer;
  private final KafkaConsumer<String, byte[]> kafka;
  private final KafkaProducer<String, byte[]> producer;
  private final int dieAfter;
  private final Thread loop;
  private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
  private final AtomicInteger handled = new AtomicInteger();
  private volatile boolean stop;
  private volatile boolean dead;
  private volatile Throwable failure;

  private SecondVerifier(Map<String, Object> client, TriggerHandler handler, int dieAfter) {
    this.consumer =
        new TriggerConsumer(
            handler, TestEventKeys.gateways(), Clock.systemUTC(), new SimpleMeterRegistry());
    Map<String, Object> c = new java.util.HashMap<>(client);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "tollgate-verifier");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.kafka = new KafkaConsumer<>(c);
    Map<String, Object> p = new java.util.HashMap<>(client);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(p);
    this.dieAfter = dieAfter;
    this.loop = new Thread(this::run, "second-verifier");
  }

  /**
   * Joins the group on the broker of {@code client} (its connection properties) and decides with
   * {@code handler}; killed after {@code dieAfter} triggers ({@link Integer#MAX_VALUE}: never).
   */
  public static SecondVerifier start(
      Map<String, Object> client, TriggerHandler handler, int dieAfter) {
    SecondVerifier v = new SecondVerifier(client, handler, dieAfter);
    v.loop.start();
    return v;
  }

  private void run() {
    try {
      kafka.subscribe(
          List.of(EventType.TRIGGER.defaultTopic()),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              assigned.removeAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              assigned.addAll(partitions);
            }
          });
      while (!stop) {
        for (ConsumerRecord<String, byte[]> r : kafka.poll(Duration.ofMillis(100))) {
          decide(r);
          if (handled.incrementAndGet() >= dieAfter) {
            dead = true; // killed mid-batch: nothing of this batch committed
            return;
          }
        }
        kafka.commitSync();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
    } catch (ExecutionException | RuntimeException e) {
      failure = e;
    } finally {
      assigned.clear();
      kafka.close(CloseOptions.timeout(Duration.ZERO));
      producer.close(Duration.ZERO);
    }
  }

  private void decide(ConsumerRecord<String, byte[]> r)
      throws InterruptedException, ExecutionException {
    Message<byte[]> in =
        Message.of(r.value()).addMetadata(new IncomingKafkaRecordMetadata<>(r, "triggers"));
    Message<DecisionEvent> out = consumer.onTrigger(in);
    @SuppressWarnings("unchecked") // the consumer builds its metadata for String keys
    OutgoingKafkaRecordMetadata<String> meta =
        out.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
    producer
        .send(
            new ProducerRecord<>(
                EventType.DECISION.defaultTopic(),
                null,
                meta.getKey(),
                CanonicalJson.bytes(out.getPayload()),
                meta.getHeaders()))
        .get();
  }

  /** The trigger partitions it holds now. */
  public Set<TopicPartition> assigned() {
    return Set.copyOf(assigned);
  }

  /** Triggers it decided. */
  public int handled() {
    return handled.get();
  }

  /** Whether it was killed mid-batch. */
  public boolean dead() {
    return dead;
  }

  /** What stopped its loop other than being killed or closed, or null. */
  public Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    stop = true;
    try {
      loop.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the second verifier", e);
    }
  }
}
