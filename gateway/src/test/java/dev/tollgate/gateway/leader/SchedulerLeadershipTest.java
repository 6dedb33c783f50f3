package dev.tollgate.gateway.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.cron.ScheduledTriggers;
import dev.tollgate.gateway.cron.TickRecord;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schedules on gateway replicas sharing one real broker: only the replica that leads fires, one
 * trigger per tick; a replica taking over fires what its predecessor had not; after every replica
 * was down, one catch-up fires and the older ticks are recorded as missed. Time is given to the
 * schedules as instants, so nothing here waits for a real tick.
 */
class SchedulerLeadershipTest {

  private static final Duration SESSION = Duration.ofSeconds(6);
  private static final Duration WINDOW = Duration.ofHours(24);

  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, String> triggers;
  private final List<Leadership> replicas = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.builder().start();
    triggers =
        new KafkaProducer<>(
            kafka.clientProperties(), new StringSerializer(), new StringSerializer());
  }

  @AfterAll
  static void stopBroker() {
    triggers.close();
    kafka.close();
  }

  @AfterEach
  void closeReplicas() {
    replicas.forEach(Leadership::close);
  }

  @Test
  void evaluate_twoReplicas_fireOneTriggerPerTickAndTheSuccessorContinues() {
    String coordination = topic("schedules");
    String out = topic("triggers");
    Leadership a = replica(coordination);
    Leadership b = replica(coordination);
    ScheduledTriggers onA = schedules(a, out, new SimpleMeterRegistry());
    ScheduledTriggers onB = schedules(b, out, new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(60)).until(() -> a.leading() || b.leading());

    for (String now :
        List.of(
            "2026-11-22T10:00:00.500Z",
            "2026-11-22T10:01:00.200Z",
            "2026-11-22T10:02:00.200Z",
            "2026-11-22T10:03:00.300Z")) {
      settle(onA.evaluate(Instant.parse(now)));
      settle(onB.evaluate(Instant.parse(now)));
      assertThat(a.leading() ^ b.leading()).as("exactly one replica leads").isTrue();
    }
    assertThat(read(out))
        .containsExactly(
            "schedule:hourly@2026-11-22T10:01:00Z",
            "schedule:hourly@2026-11-22T10:02:00Z",
            "schedule:hourly@2026-11-22T10:03:00Z");

    // The leader leaves (a rolling update); the other replica takes over and goes on.
    Leadership leader = a.leading() ? a : b;
    Leadership successor = leader == a ? b : a;
    ScheduledTriggers onSuccessor = leader == a ? onB : onA;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                recorded(leader)
                    .map(r -> r.tick().equals(Instant.parse("2026-11-22T10:03:00Z")))
                    .orElse(false));
    leader.close();
    await().atMost(Duration.ofSeconds(60)).until(successor::leading);
    settle(onSuccessor.evaluate(Instant.parse("2026-11-22T10:03:30Z")));
    settle(onSuccessor.evaluate(Instant.parse("2026-11-22T10:04:00.100Z")));

    assertThat(read(out))
        .as("the successor fired the next tick only, and every tick once")
        .containsExactly(
            "schedule:hourly@2026-11-22T10:01:00Z",
            "schedule:hourly@2026-11-22T10:02:00Z",
            "schedule:hourly@2026-11-22T10:03:00Z",
            "schedule:hourly@2026-11-22T10:04:00Z");
  }

  @Test
  void evaluate_restartAfterDowntime_firesOneCatchUpAndRecordsTheRestMissed() throws Exception {
    String coordination = topic("schedules");
    String out = topic("triggers");
    Leadership before = replica(coordination);
    ScheduledTriggers first = schedules(before, out, new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(60)).until(before::leading);
    settle(first.evaluate(Instant.parse("2026-11-22T10:00:30Z")));
    settle(first.evaluate(Instant.parse("2026-11-22T10:01:00.100Z")));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> recorded(before).map(TickRecord::outcome).orElse("").equals("fired"));
    before.close(); // every replica down from 10:01:30 to 10:06:10

    Leadership after = replica(coordination);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ScheduledTriggers restarted = schedules(after, out, meters);
    await().atMost(Duration.ofSeconds(60)).until(after::leading);
    Map<String, CompletionStage<String>> fired =
        restarted.evaluate(Instant.parse("2026-11-22T10:06:10Z"));
    assertThat(fired).containsOnlyKeys("hourly");
    settle(fired);
    settle(restarted.evaluate(Instant.parse("2026-11-22T10:06:11Z")));

    assertThat(read(out))
        .containsExactly(
            "schedule:hourly@2026-11-22T10:01:00Z", "schedule:hourly@2026-11-22T10:06:00Z");
    assertThat(meters.counter("tollgate.gateway.schedules", "outcome", "missed").count())
        .isEqualTo(4.0);
    assertThat(meters.counter("tollgate.gateway.schedules", "outcome", "emitted").count())
        .isEqualTo(1.0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> recorded(after).map(TickRecord::outcome).orElse("").equals("fired"));
    TickRecord record = recorded(after).orElseThrow();
    assertThat(record.tick()).isEqualTo(Instant.parse("2026-11-22T10:06:00Z"));
    assertThat(record.missed()).isEqualTo(4);
    assertThat(record.firstMissed()).isEqualTo(Instant.parse("2026-11-22T10:02:00Z"));
  }

  private Leadership replica(String topic) {
    Leadership leadership =
        new Leadership(kafka.clientProperties(), topic, topic + "-group", SESSION);
    replicas.add(leadership);
    leadership.start();
    return leadership;
  }

  /** A schedule every minute ("hourly" in name only), emitting trigger ids to {@code out}. */
  private ScheduledTriggers schedules(
      Leadership leadership, String out, SimpleMeterRegistry meters) {
    Function<TriggerEvent, Uni<Void>> emit =
        trigger -> {
          CompletableFuture<Void> acked = new CompletableFuture<>();
          triggers.send(
              new ProducerRecord<>(out, trigger.triggerId(), trigger.triggerId()),
              (metadata, failure) -> {
                if (failure == null) {
                  acked.complete(null);
                } else {
                  acked.completeExceptionally(failure);
                }
              });
          return Uni.createFrom().completionStage(acked);
        };
    return new ScheduledTriggers(
        Map.of("hourly", everyMinute()),
        emit,
        leadership,
        WINDOW,
        Duration.ofMillis(10),
        Clock.systemUTC(),
        meters);
  }

  /** Waits until every tick fired was acknowledged and handed to the recorder; all fired. */
  private static void settle(Map<String, CompletionStage<String>> fired) {
    for (CompletionStage<String> outcome : fired.values()) {
      assertThat(outcome.toCompletableFuture().join()).isEqualTo("fired");
    }
  }

  private static Optional<TickRecord> recorded(Leadership leadership) {
    return leadership
        .get("schedule:hourly")
        .map(
            v -> {
              try {
                return TickRecord.parse(v);
              } catch (dev.tollgate.schemas.json.MalformedJsonException e) {
                throw new AssertionError(e);
              }
            });
  }

  private static String topic(String what) {
    String name = "tollgate." + what + "." + UUID.randomUUID();
    kafka.createTopics(List.of(new NewTopic(name, 1, (short) 1)));
    return name;
  }

  private static List<String> read(String topic) {
    Map<String, Object> settings = new HashMap<>(kafka.clientProperties());
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition p = new TopicPartition(topic, 0);
      consumer.assign(List.of(p));
      consumer.seekToBeginning(List.of(p));
      long end = consumer.endOffsets(List.of(p)).get(p);
      List<String> ids = new ArrayList<>();
      while (consumer.position(p) < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          ids.add(r.key());
        }
      }
      return ids;
    }
  }

  private static GatewayConfig.ScheduleConfig everyMinute() {
    return new GatewayConfig.ScheduleConfig() {
      @Override
      public String cron() {
        return "0 * * * * ?";
      }

      @Override
      public String timeZone() {
        return "UTC";
      }

      @Override
      public Optional<String> repository() {
        return Optional.of("octo-org/payments");
      }

      @Override
      public Optional<String> ref() {
        return Optional.of("refs/heads/main");
      }

      @Override
      public Map<String, String> parameters() {
        return Map.of();
      }
    };
  }
}
