package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.gateway.emit.EventSigner;
import dev.tollgate.gateway.github.RecentDeliveries.Seen;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.signing.EventKeyRing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redelivery recognition shared by the replicas: journals of two (and three) gateway replicas on
 * one real broker, each with its own memory, recognize each other's deliveries, and a replica
 * started afterwards (a restart) knows them once it has read the topic. Only records signed by a
 * trusted gateway key count: one produced onto the topic by anyone else is ignored and counted.
 */
class DeliveryJournalTest {

  private static final String TOPIC = "tollgate.deliveries.journal-test";
  private static final String BODY = "sha256:" + "a".repeat(64);
  private static final String OTHER_BODY = "sha256:" + "b".repeat(64);
  private static final Duration REMEMBER = Duration.ofHours(24);
  private static final EventSigner GATEWAY =
      new EventSigner(Optional.of(Fixtures.testResource(Fixtures.SIGNING_KEY).toString()));
  private static final EventSigner OTHER =
      new EventSigner(Optional.of(Fixtures.testResource(Fixtures.OTHER_KEY).toString()));

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
    return replica(memory, topic, clock, GATEWAY, trusting(GATEWAY), new SimpleMeterRegistry());
  }

  private DeliveryJournal replica(
      RecentDeliveries memory,
      String topic,
      Clock clock,
      EventSigner signer,
      EventKeyRing trusted,
      MeterRegistry meters) {
    DeliveryJournal journal =
        new DeliveryJournal(
            memory, kafka.clientProperties(), topic, REMEMBER, clock, meters, signer, trusted);
    journals.add(journal);
    journal.start();
    return journal;
  }

  private static EventKeyRing trusting(EventSigner... signers) {
    return EventKeyRing.of("gateway", Arrays.stream(signers).map(EventSigner::publicKey).toList());
  }

  private static double unauthenticated(MeterRegistry meters, String reason) {
    return meters
        .counter("tollgate.gateway.deliveries.journal.unauthenticated", "reason", reason)
        .count();
  }

  /** Produces straight onto the topic, as anyone with access to the broker could. */
  private static void produce(ProducerRecord<String, byte[]> record) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(record);
      producer.flush();
    }
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
    // While the gateway's key rotates, one replica signs with the old key and one with the new;
    // each trusts both.
    EventKeyRing both = trusting(GATEWAY, OTHER);
    DeliveryJournal a =
        replica(first, TOPIC, Clock.systemUTC(), GATEWAY, both, new SimpleMeterRegistry());
    DeliveryJournal b =
        replica(second, TOPIC, Clock.systemUTC(), OTHER, both, new SimpleMeterRegistry());
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
  void load_forgedUnsignedRecord_isIgnoredCountedAndNeverRefusesTheGenuineDelivery() {
    String trigger = trigger();
    // What a broker user without the gateway's key can write: the genuine delivery's trigger id
    // with another body's digest, and garbage.
    produce(new ProducerRecord<>(TOPIC, trigger, OTHER_BODY.getBytes(StandardCharsets.US_ASCII)));
    produce(
        new ProducerRecord<>(
            TOPIC, trigger(), "{\"garbage\":true}".getBytes(StandardCharsets.UTF_8)));
    MeterRegistry meters = new SimpleMeterRegistry();
    RecentDeliveries memory = memory();
    DeliveryJournal journal =
        replica(memory, TOPIC, Clock.systemUTC(), GATEWAY, trusting(GATEWAY), meters);

    assertThat(journal.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    // NEW, so the genuine delivery is accepted; DIFFERENT would refuse it DELIVERY_ID_REUSED.
    assertThat(memory.check(trigger, BODY)).isEqualTo(Seen.NEW);
    assertThat(unauthenticated(meters, "unsigned")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void load_recordSignedWithAKeyNotTrusted_isIgnoredAndCounted() {
    String trigger = trigger();
    produce(
        JournalRecord.signed(
            TOPIC, new JournalRecord.Accepted(trigger, OTHER_BODY, Instant.now()), OTHER));
    MeterRegistry meters = new SimpleMeterRegistry();
    RecentDeliveries memory = memory();
    DeliveryJournal journal =
        replica(memory, TOPIC, Clock.systemUTC(), GATEWAY, trusting(GATEWAY), meters);

    assertThat(journal.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    assertThat(memory.check(trigger, BODY)).isEqualTo(Seen.NEW);
    assertThat(unauthenticated(meters, "unknown_key")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void load_genuineRecordCopiedUnderAnotherTrigger_isIgnored() {
    String genuine = trigger();
    String victim = trigger();
    ProducerRecord<String, byte[]> signed =
        JournalRecord.signed(
            TOPIC, new JournalRecord.Accepted(genuine, OTHER_BODY, Instant.now()), GATEWAY);
    produce(new ProducerRecord<>(TOPIC, null, victim, signed.value(), signed.headers()));
    MeterRegistry meters = new SimpleMeterRegistry();
    RecentDeliveries memory = memory();
    DeliveryJournal journal =
        replica(memory, TOPIC, Clock.systemUTC(), GATEWAY, trusting(GATEWAY), meters);

    assertThat(journal.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    assertThat(memory.check(victim, BODY)).isEqualTo(Seen.NEW);
    assertThat(unauthenticated(meters, "misplaced")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void load_signedRecordOfAReplicaNotTrusted_isNotRecognized() {
    RecentDeliveries second = memory();
    MeterRegistry meters = new SimpleMeterRegistry();
    DeliveryJournal a = replica(memory(), TOPIC, Clock.systemUTC(), OTHER, trusting(OTHER), meters);
    DeliveryJournal b =
        replica(second, TOPIC, Clock.systemUTC(), GATEWAY, trusting(GATEWAY), meters);
    assertThat(a.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    assertThat(b.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    String trigger = trigger();
    // Both read the whole topic already: whatever earlier tests left there is counted.
    double before = unauthenticated(meters, "unknown_key");

    a.accepted(trigger, OTHER_BODY);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> unauthenticated(meters, "unknown_key") > before);
    assertThat(second.check(trigger, BODY)).isEqualTo(Seen.NEW);
  }

  @Test
  void load_ownRecordReadBack_isCountedKnownNotLoadedAgain() {
    MeterRegistry meters = new SimpleMeterRegistry();
    RecentDeliveries memory = memory();
    DeliveryJournal journal =
        replica(memory, TOPIC, Clock.systemUTC(), GATEWAY, trusting(GATEWAY), meters);
    assertThat(journal.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    double loadedBefore =
        meters.counter("tollgate.gateway.deliveries.journal", "outcome", "loaded").count();

    journal.accepted(trigger(), BODY);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                meters.counter("tollgate.gateway.deliveries.journal", "outcome", "known").count()
                    >= 1);
    assertThat(meters.counter("tollgate.gateway.deliveries.journal", "outcome", "loaded").count())
        .isEqualTo(loadedBefore);
  }

  @Test
  void load_forgedRecordOfAKnownTriggerWithAnotherDigest_isStillCheckedAndIgnored() {
    MeterRegistry meters = new SimpleMeterRegistry();
    RecentDeliveries memory = memory();
    DeliveryJournal journal =
        replica(memory, TOPIC, Clock.systemUTC(), GATEWAY, trusting(GATEWAY), meters);
    assertThat(journal.awaitLoaded(Duration.ofSeconds(30))).isTrue();
    String trigger = trigger();
    journal.accepted(trigger, BODY);
    double before = unauthenticated(meters, "unsigned");

    produce(new ProducerRecord<>(TOPIC, trigger, OTHER_BODY.getBytes(StandardCharsets.US_ASCII)));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> unauthenticated(meters, "unsigned") > before);
    assertThat(memory.check(trigger, BODY)).isEqualTo(Seen.SAME);
  }
}
