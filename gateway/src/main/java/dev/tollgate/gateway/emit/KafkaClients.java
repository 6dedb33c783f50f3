package dev.tollgate.gateway.emit;

import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Makes the Kafka clients the gateway drives itself rather than through a messaging channel: the
 * trigger producer ({@link TriggerEmitter}, direct for speed) and the delivery journal's producer
 * and consumer. One place, so that the fast test tier can put in-memory clients where the in-memory
 * connector cannot reach, as it does for the rejections channel; in production these are Kafka's
 * own clients with the settings given.
 */
@Singleton
public class KafkaClients {

  /** A producer with these settings and serializers. */
  public <K, V> Producer<K, V> producer(
      Map<String, Object> settings, Serializer<K> key, Serializer<V> value) {
    return new KafkaProducer<>(settings, key, value);
  }

  /** A consumer with these settings and deserializers. */
  public <K, V> Consumer<K, V> consumer(
      Map<String, Object> settings, Deserializer<K> key, Deserializer<V> value) {
    return new KafkaConsumer<>(settings, key, value);
  }
}
