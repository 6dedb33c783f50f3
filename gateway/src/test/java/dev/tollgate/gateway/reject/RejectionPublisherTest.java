package dev.tollgate.gateway.reject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.RejectionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RejectionPublisherTest {

  private final List<RejectionEvent> emitted = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  // While true the "broker" refuses every event, as Kafka does while it is down.
  private boolean kafkaDown;
  private final RejectionPublisher publisher =
      new RejectionPublisher(
          3,
          2,
          Duration.ofSeconds(60),
          meters,
          Clock.fixed(Instant.parse("2026-11-22T09:00:00Z"), ZoneOffset.UTC),
          event -> {
            if (kafkaDown) {
              return Uni.createFrom().failure(new TimeoutException("Kafka did not answer"));
            }
            emitted.add(event);
            return Uni.createFrom().voidItem();
          });

  @Test
  void reject_firstOfItsKind_isEmittedAtOnceWithCountOne() {
    publisher.reject(rejection("SIGNATURE_MISMATCH", "203.0.113.7", "d-1"));

    assertThat(emitted).hasSize(1);
    RejectionEvent event = emitted.get(0);
    assertThat(event.count()).isEqualTo(1);
    assertThat(event.remoteAddress()).isEqualTo("203.0.113.7");
    assertThat(event.deliveryId()).isEqualTo("d-1");
    assertThat(event.reason().code()).isEqualTo("SIGNATURE_MISMATCH");
    assertThat(event.rejectionId()).matches("rej-[0-9a-f]{32}");
  }

  @Test
  void flush_afterFlood_emitsOneEventCountingTheRest() {
    for (int i = 0; i < 10_000; i++) {
      publisher.reject(rejection("SIGNATURE_MISMATCH", "203.0.113.7", "d-" + i));
    }

    publisher.flush();

    assertThat(emitted).hasSize(2);
    assertThat(emitted.get(1).count()).isEqualTo(9_999);
    assertThat(emitted.get(1).deliveryId()).isEqualTo("d-9999");
    assertThat(emitted.get(1).reason().message()).contains("9999 more rejection(s)");
  }

  @Test
  void reject_manyAddresses_poolsThoseBeyondTheKeyLimit() {
    for (int i = 0; i < 1000; i++) {
      publisher.reject(rejection("SIGNATURE_MISSING", "198.51.100." + (i % 250), "d-" + i));
    }
    publisher.flush();

    // 3 tracked addresses and the pool: each emits its first and then one aggregate.
    assertThat(emitted).hasSizeLessThanOrEqualTo(8);
    assertThat(emitted.stream().mapToInt(RejectionEvent::count).sum()).isEqualTo(1000);
    assertThat(emitted)
        .filteredOn(e -> e.remoteAddress().equals("*"))
        .allSatisfy(e -> assertThat(e.deliveryId()).isNull());
  }

  @Test
  void flush_nothingAfterFirst_emitsNothingMore() {
    publisher.reject(rejection("HEADER_MISSING", "203.0.113.7", null));

    publisher.flush();
    publisher.flush();

    assertThat(emitted).hasSize(1);
  }

  @Test
  void reject_afterFlush_startsANewWindow() {
    publisher.reject(rejection("HEADER_MISSING", "203.0.113.7", null));
    publisher.flush();

    publisher.reject(rejection("HEADER_MISSING", "203.0.113.7", null));

    assertThat(emitted).hasSize(2);
    assertThat(emitted).extracting(RejectionEvent::count).containsExactly(1, 1);
  }

  @Test
  void reject_kafkaDown_holdsTheEventAndSendsItWhenKafkaIsBack() {
    kafkaDown = true;
    publisher.reject(rejection("SIGNATURE_MISMATCH", "203.0.113.7", "d-1"));
    publisher.flush();
    assertThat(emitted).isEmpty();

    kafkaDown = false;
    publisher.flush();

    assertThat(emitted).singleElement().satisfies(e -> assertThat(e.deliveryId()).isEqualTo("d-1"));
    publisher.flush();
    assertThat(emitted).as("sent once, then no longer held").hasSize(1);
  }

  @Test
  void reject_kafkaDownBeyondTheBound_dropsTheRestAndReportsHowMany() {
    kafkaDown = true;
    for (String code : List.of("A_CODE", "B_CODE", "C_CODE", "D_CODE", "E_CODE")) {
      publisher.reject(rejection(code, "203.0.113.7", "d-" + code));
    }

    kafkaDown = false;
    publisher.flush();

    // Two held (the bound), three dropped and reported by one event that counts them.
    assertThat(emitted).extracting(RejectionEvent::deliveryId).contains("d-A_CODE", "d-B_CODE");
    assertThat(emitted).hasSize(3);
    RejectionEvent droppedReport = emitted.get(2);
    assertThat(droppedReport.reason().code()).isEqualTo(RejectionPublisher.DROPPED);
    assertThat(droppedReport.count()).isEqualTo(3);
    assertThat(droppedReport.remoteAddress()).isEqualTo("*");
    assertThat(meters.counter("tollgate.gateway.rejections", "outcome", "dropped").count())
        .isEqualTo(3.0);
  }

  @Test
  void reject_kafkaStillDownAtTheRetry_keepsHoldingWithoutLosingTheDroppedCount() {
    kafkaDown = true;
    for (String code : List.of("A_CODE", "B_CODE", "C_CODE")) {
      publisher.reject(rejection(code, "203.0.113.7", null));
    }
    publisher.flush();
    publisher.flush();

    kafkaDown = false;
    publisher.flush();

    assertThat(emitted).hasSize(3);
    assertThat(emitted)
        .filteredOn(e -> e.reason().code().equals(RejectionPublisher.DROPPED))
        .singleElement()
        .satisfies(e -> assertThat(e.count()).isEqualTo(1));
  }

  private static RejectionPublisher.Rejection rejection(
      String code, String address, String delivery) {
    return new RejectionPublisher.Rejection(code, "what failed", address, delivery, "push", null);
  }
}
