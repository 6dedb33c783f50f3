package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.json.Json;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GitHub's own example bodies fit their event and no other. */
class EventShapeTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "create_payload.json",
        "issue_comment_created.payload.json",
        "issue_comment_created.with-installation.payload.json",
        "ping_payload.json",
        "ping_with-app_id.payload.json",
        "pull_request_closed.payload.json",
        "pull_request_opened.payload.json",
        "pull_request_opened.with-null-body.json",
        "pull_request_reopened.payload.json",
        "pull_request_synchronize.payload.json",
        "push_payload.json",
        "push_with-installation.payload.json",
        "push_with-new-branch.payload.json",
        "push_with-organization.payload.json",
        "release_published.payload.json"
      })
  void check_gitHubExample_fitsItsOwnEventOnly(String fixture) throws Exception {
    JsonNode body = Json.readTree(Fixtures.webhook(fixture));
    EventShape own = eventOf(fixture);

    assertThatCode(() -> own.check(body)).doesNotThrowAnyException();
    Stream.of(EventShape.values())
        .filter(other -> other != own)
        .forEach(
            other -> {
              WebhookRejectedException refused =
                  catchThrowableOfType(WebhookRejectedException.class, () -> other.check(body));
              assertThat(refused).as("%s re-sent as %s", fixture, other.event()).isNotNull();
              assertThat(refused.code()).isEqualTo(RejectionCode.PAYLOAD_EVENT_MISMATCH);
              assertThat(refused.getMessage()).contains(other.event());
            });
  }

  /** The event a fixture was sent for: the longest event name its file name starts with. */
  private static EventShape eventOf(String fixture) {
    return Arrays.stream(EventShape.values())
        .filter(s -> fixture.startsWith(s.event() + "_"))
        .max(Comparator.comparingInt(s -> s.event().length()))
        .orElseThrow();
  }
}
