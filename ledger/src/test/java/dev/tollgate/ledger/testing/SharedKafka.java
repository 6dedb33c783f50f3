package dev.tollgate.ledger.testing;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.schemas.cloudevents.EventType;

/**
 * One broker for every test in this JVM that runs without Quarkus: starting a broker costs seconds,
 * so tests share it and isolate themselves by topic name.
 */
public final class SharedKafka {

  private static EmbeddedKafka kafka;

  private SharedKafka() {}

  /**
   * The shared broker, started on first use. A broker on a temporary directory stops and deletes
   * its data itself when the JVM exits.
   */
  public static synchronized EmbeddedKafka get() {
    if (kafka == null) {
      kafka = EmbeddedKafka.builder().start();
    }
    return kafka;
  }

  /** Creates a topic of this event type under a fresh name and returns the name. */
  public static String newTopic(EventType type) {
    return Topics.create(get(), type);
  }
}
