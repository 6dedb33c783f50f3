package dev.tollgate.gateway.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Sha256;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The acknowledgement bound on its own; {@code GitHubWebhookRouteTest} covers a real broker. */
class TriggerEmitterTest {

  private static final String TRIGGER = Ids.githubTrigger("d-1");

  @Test
  void acknowledged_neverAcknowledged_failsAfterTimeout() {
    long start = System.nanoTime();

    UniAssertSubscriber<Void> result =
        TriggerEmitter.acknowledged(Uni.createFrom().nothing(), TRIGGER, Duration.ofMillis(200))
            .subscribe()
            .withSubscriber(UniAssertSubscriber.create())
            .awaitFailure(Duration.ofSeconds(10));

    result.assertFailedWith(TriggerNotAcknowledgedException.class, "did not acknowledge within");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void acknowledged_nacked_failsAtOnceWithTheCause() {
    TimeoutException nack = new TimeoutException("Topic not present in metadata after 2000 ms.");

    Throwable failure =
        TriggerEmitter.acknowledged(Uni.createFrom().failure(nack), TRIGGER, Duration.ofHours(1))
            .subscribe()
            .withSubscriber(UniAssertSubscriber.create())
            .awaitFailure(Duration.ofSeconds(10))
            .getFailure();

    assertThat(failure).isInstanceOf(TriggerNotAcknowledgedException.class).hasCause(nack);
    assertThat(((TriggerNotAcknowledgedException) failure).triggerId()).isEqualTo(TRIGGER);
  }

  @Test
  void acknowledged_acknowledged_completes() {
    TriggerEmitter.acknowledged(Uni.createFrom().voidItem(), TRIGGER, Duration.ofSeconds(1))
        .subscribe()
        .withSubscriber(UniAssertSubscriber.create())
        .awaitItem(Duration.ofSeconds(10))
        .assertCompleted();
  }

  @Test
  void key_anyTrigger_isTriggerId() {
    TriggerEvent push = trigger("push", "octo-org/hello-world");
    TriggerEvent ping = trigger("ping", null);

    assertThat(TriggerEmitter.key(push)).isEqualTo(push.triggerId());
    assertThat(TriggerEmitter.key(ping)).isEqualTo(ping.triggerId());
  }

  @Test
  void attributes_trigger_areTriggerTypeFromGatewayAboutRepository() {
    TriggerEvent trigger = trigger("push", "octo-org/hello-world");

    assertThat(TriggerEmitter.attributes(trigger))
        .satisfies(
            ce -> {
              assertThat(ce.id()).isEqualTo(TRIGGER);
              assertThat(ce.type()).isEqualTo("dev.tollgate.trigger.v1");
              assertThat(ce.source()).hasToString("/tollgate/gateway");
              assertThat(ce.subject()).isEqualTo("octo-org/hello-world");
              assertThat(ce.time()).isEqualTo(trigger.receivedAt());
            });
  }

  private static TriggerEvent trigger(String event, String repository) {
    return new TriggerEvent(
        TRIGGER,
        TriggerEvent.Source.GITHUB,
        Instant.parse("2026-11-22T09:14:03.512Z"),
        event,
        null,
        repository,
        null,
        null,
        null,
        null,
        null,
        new TriggerEvent.GitHubDelivery("d-1", null, null),
        Sha256.digest(new byte[0]),
        0,
        null,
        false);
  }
}
