package dev.tollgate.gateway.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecentDeliveriesTest {

  @Test
  void tellsNewSameAndDifferentBodiesApart() {
    RecentDeliveries recent = new RecentDeliveries(100, Duration.ofHours(1));
    assertEquals(RecentDeliveries.Seen.NEW, recent.check("d-1", "sha256:aa"));
    assertFalse(recent.wasAccepted("d-1"));

    recent.accepted("d-1", "sha256:aa");

    assertTrue(recent.wasAccepted("d-1"));
    assertEquals(RecentDeliveries.Seen.SAME, recent.check("d-1", "sha256:aa"));
    assertEquals(RecentDeliveries.Seen.DIFFERENT, recent.check("d-1", "sha256:bb"));
    assertEquals(RecentDeliveries.Seen.NEW, recent.check("d-2", "sha256:aa"));
  }

  @Test
  void staysWithinItsBoundAsSoonAsAWriteReturns() {
    // Upkeep runs on the writing thread, so the bound holds right after each write, not only once
    // some other thread got round to evicting.
    RecentDeliveries recent = new RecentDeliveries(10, Duration.ofHours(1));
    for (int i = 0; i < 1_000; i++) {
      recent.accepted("d-" + i, "sha256:" + i);
      int upTo = i;
      long remembered =
          IntStream.rangeClosed(0, upTo).filter(k -> recent.wasAccepted("d-" + k)).count();
      assertTrue(remembered <= 10, () -> remembered + " remembered after write " + upTo);
    }
  }
}
