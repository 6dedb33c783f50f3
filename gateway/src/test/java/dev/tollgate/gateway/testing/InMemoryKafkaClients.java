package dev.tollgate.gateway.testing;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.KafkaClients;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.schemas.cloudevents.EventType;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.eclipse.microprofile.config.Config;

/**
 * The fast tier's stand-in for the Kafka clients the gateway drives itself: Kafka's own {@link
 * MockProducer}s, which run the real serializers (so triggers are signed exactly as on a broker)
 * and acknowledge at once, kept by client id for the tests to read; and for the delivery journal a
 * {@link MockConsumer} of its one empty partition, so the journal loads at once. Enabled by {@link
 * InMemoryMessaging} only.
 */
@Alternative
@Singleton
public class InMemoryKafkaClients extends KafkaClients {

  private final Map<String, MockProducer<?, ?>> producers = new ConcurrentHashMap<>();
  private final String journalTopic;
  private final Cluster cluster;

  @Inject
  public InMemoryKafkaClients(GatewayConfig config, Config settings) {
    this.journalTopic = config.deliveries().topic();
    String triggersTopic =
        settings
            .getOptionalValue(TriggerEmitter.CONFIG_PREFIX + "topic", String.class)
            .orElse(EventType.TRIGGER.defaultTopic());
    // MockProducer runs the serializers on the record's own headers (so the signing serializer
    // signs it as on a broker) only for topics its cluster knows.
    Node node = new Node(0, "in-memory", 9092);
    this.cluster =
        new Cluster(
            "in-memory",
            List.of(node),
            Stream.of(triggersTopic, journalTopic)
                .map(t -> new PartitionInfo(t, 0, node, new Node[] {node}, new Node[] {node}))
                .toList(),
            Set.of(),
            Set.of());
  }

  @Override
  public <K, V> Producer<K, V> producer(
      Map<String, Object> settings, Serializer<K> key, Serializer<V> value) {
    MockProducer<K, V> producer = new MockProducer<>(cluster, true, null, key, value);
    producers.put(String.valueOf(settings.get(ProducerConfig.CLIENT_ID_CONFIG)), producer);
    return producer;
  }

  @Override
  public <K, V> Consumer<K, V> consumer(
      Map<String, Object> settings, Deserializer<K> key, Deserializer<V> value) {
    MockConsumer<K, V> consumer = new IdleMockConsumer<>();
    TopicPartition partition = new TopicPartition(journalTopic, 0);
    consumer.updatePartitions(
        journalTopic, List.of(new PartitionInfo(journalTopic, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(partition, 0L));
    consumer.updateEndOffsets(Map.of(partition, 0L));
    return consumer;
  }

  /** The producer made with this client id (the gateway's triggers: tollgate-gateway-triggers). */
  @SuppressWarnings("unchecked") // the tests name the producer whose types they know
  public <K, V> MockProducer<K, V> producer(String clientId) {
    MockProducer<?, ?> producer = producers.get(clientId);
    if (producer == null) {
      throw new IllegalStateException("no producer with client id " + clientId);
    }
    return (MockProducer<K, V>) producer;
  }

  /**
   * A MockConsumer whose empty poll waits as a real one would, so the journal's reader does not
   * spin on a core.
   */
  private static final class IdleMockConsumer<K, V> extends MockConsumer<K, V> {
    IdleMockConsumer() {
      super("earliest");
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
      ConsumerRecords<K, V> records = super.poll(timeout);
      if (records.isEmpty()) {
        try {
          Thread.sleep(Math.min(timeout.toMillis(), 200));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return records;
    }
  }
}
