package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.gateway.github.RecentDeliveries.Seen;
import dev.tollgate.schemas.event.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redelivery recognition shared by the replicas: journals of two (and three) gateway replicas on
 * one real broker, each with its own memory, recognize each other's deliveries, and a replica
 * started afterwards (a restart) knows them once it has read the topic.
 */
class DeliveryJournalTest {

  private static final String TOPIC = "tollgate.deliveries.journal-test";
  private static final String BODY = "sha256:" + "a".repeat(64);
  private static final String OTHER_BODY = "sha256:" + "b".repeat(64);
  private static final Duration REMEMBER = Duration.ofHours(24);

  private static EmbeddedKafka kafka;
  private final List<DeliveryJournal> journals = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.builder().topics(List.of(TollgateTopics.deliveries(TOPIC))).start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @AfterEach
  void closeJournals() {
    journals.forEach(DeliveryJournal::close);
  }

  private DeliveryJournal replica(RecentDeliveries memory, String topic, Clock clock) {
    DeliveryJournal journal =
        new DeliveryJournal(
            memory, kafka.clientProperties(), topic, REMEMBER, clock, new SimpleMeterRegistry());
    journals.add(journal);
    journal.start();
    return journal;
  }

  private static RecentDeliveries memory() {
    return new RecentDeliveries(1000, REMEMBER);
  }

  private static String trigger() {
    return Ids.githubTrigger(UUID.randomUUID().toString(), "4711");
  }

  @Test
  void accepted_onOneReplica_isRecognizedOnAnotherAndAfterARestart() {
    RecentDeliveries first = memory();
    RecentDeliveries second = memory();
    DeliveryJournal a = replica(first, TOPIC, Clock.systemUTC());
    DeliveryJournal b = replica(second, TOPIC, Clock.systemUTC());
    assertThat(a.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    assertThat(b.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    String trigger = trigger();
    assertThat(second.check(trigger, BODY)).isEqualTo(Seen.NEW);

    a.accepted(trigger, BODY);

    await().atMost(Duration.ofSeconds(30)).until(() -> second.check(trigger, BODY) == Seen.SAME);
    assertThat(second.check(trigger, OTHER_BODY)).isEqualTo(Seen.DIFFERENT);

    // Both replicas stop; a third starts with an empty memory, as after a restart.
    a.close();
    b.close();
    RecentDeliveries restarted = memory();
    DeliveryJournal c = replica(restarted, TOPIC, Clock.systemUTC());
    assertThat(c.awaitLoaded(Duration.ofSeconds(30))).isTrue();

    assertThat(restarted.check(trigger, BODY)).isEqualTo(Seen.SAME);
    assertThat(restarted.check(trigger, OTHER_BODY)).isEqualTo(Seen.DIFFERENT);
    assertThat(restarted.check(trigger(), BODY)).isEqualTo(Seen.NEW);
  }

  @Test
  void check_journalNotLoaded_isLoadingNeverNew() {
    RecentDeliveries memory = memory();
    // A topic that does not exist: the journal can never be read whole.
    DeliveryJournal journal = replica(memory, "tollgate.deliveries.absent", Clock.systemUTC());

    assertThat(journal.awaitLoaded(Duration.ofSeconds(2))).isFalse();
    assertThat(memory.check(trigger(), BODY)).isEqualTo(Seen.LOADING);
    assertThat(journal.call().getStatus().name()).isEqualTo("DOWN");
  }

  @Test
  void load_recordOlderThanRememberFor_isForgotten() {
    String trigger = trigger();
    DeliveryJournal writer = replica(memory(), TOPIC, Clock.systemUTC());
    assertThat(writer.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    writer.accepted(trigger, BODY);
    RecentDeliveries now = memory();
    DeliveryJournal reader = replica(now, TOPIC, Clock.systemUTC());
    await().atMost(Duration.ofSeconds(30)).until(() -> now.check(trigger, BODY) == Seen.SAME);

    RecentDeliveries later = memory();
    Clock twoDaysLater = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));
    DeliveryJournal lateReader = replica(later, TOPIC, twoDaysLater);

    assertThat(lateReader.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    assertThat(later.check(trigger, BODY)).isEqualTo(Seen.NEW);
    assertThat(reader.loaded()).isTrue();
  }

  @Test
  void load_recordThatIsNoDigest_isSkipped() {
    String trigger = trigger();
    Map<String, Object> props = kafka.clientProperties();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, trigger, "{\"garbage\":true}"));
      producer.flush();
    }
    RecentDeliveries memory = memory();
    DeliveryJournal journal = replica(memory, TOPIC, Clock.systemUTC());

    assertThat(journal.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    assertThat(memory.check(trigger, BODY)).isEqualTo(Seen.NEW);
  }
}
