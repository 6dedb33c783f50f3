package dev.tollgate.gateway.reject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.RejectionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectionPublisherTest {

  private final List<RejectionEvent> emitted = new ArrayList<>();
  private final RejectionPublisher publisher =
      new RejectionPublisher(
          3,
          Duration.ofSeconds(60),
          new SimpleMeterRegistry(),
          Clock.fixed(Instant.parse("2026-11-22T09:00:00Z"), ZoneOffset.UTC),
          emitted::add);

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

  private static RejectionPublisher.Rejection rejection(
      String code, String address, String delivery) {
    return new RejectionPublisher.Rejection(code, "what failed", address, delivery, "push", null);
  }
}
