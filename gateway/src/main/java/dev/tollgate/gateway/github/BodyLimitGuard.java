package dev.tollgate.gateway.github;

import dev.tollgate.gateway.reject.RejectionPublisher;
import dev.tollgate.schemas.json.Json;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a webhook delivery whose declared {@code Content-Length} is over the body limit with 413
 * and a JSON reason before a byte of it is read, and records it as a rejection. A body sent without
 * a length (chunked) is cut off by the HTTP layer at the same limit while it is read; its 413 is
 * recorded as a rejection as well.
 */
@ApplicationScoped
public class BodyLimitGuard {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
  private static final RejectionCode PAYLOAD_TOO_LARGE = RejectionCode.PAYLOAD_TOO_LARGE;

  // Looked up per use: the router is built before the messaging channels are connected.
  @Inject Provider<RejectionPublisher> rejections;
  @Inject MeterRegistry meters;

  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize maxBodySize;

  void install(@Observes Router router) {
    router.post(GitHubWebhookRoute.PATH).order(Integer.MIN_VALUE).handler(this::check);
  }

  void check(RoutingContext context) {
    String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || !DIGITS.matcher(length).matches()) {
      // No declared length (chunked): the HTTP layer counts while reading and answers 413 itself
      // past the limit. That answer is recorded as a rejection too, when its headers go out.
      context.addHeadersEndHandler(
          ignored -> {
            if (context.response().getStatusCode() == PAYLOAD_TOO_LARGE.httpStatus()) {
              record(context, tooLarge());
            }
          });
      context.next();
      return;
    }
    if (Long.parseLong(length) <= maxBodySize.asLongValue()) {
      context.next();
      return;
    }
    String message = tooLarge();
    record(context, message);
    byte[] body =
        Json.toTree(new GitHubWebhookRoute.ErrorBody(PAYLOAD_TOO_LARGE.name(), message))
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    context
        .response()
        .setStatusCode(PAYLOAD_TOO_LARGE.httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(Buffer.buffer(body));
  }

  private String tooLarge() {
    return "The body is larger than the limit of "
        + maxBodySize.asLongValue()
        + " bytes (quarkus.http.limits.max-body-size); GitHub sends at most 25 MB.";
  }

  /** Counts the refusal and records it as a rejection event; only well-formed headers go in. */
  private void record(RoutingContext context, String message) {
    String delivery = context.request().getHeader(DeliveryHeaders.DELIVERY);
    String event = context.request().getHeader(DeliveryHeaders.EVENT);
    meters
        .counter(
            "tollgate.gateway.deliveries", "outcome", "rejected", "code", PAYLOAD_TOO_LARGE.name())
        .increment();
    rejections
        .get()
        .reject(
            new RejectionPublisher.Rejection(
                PAYLOAD_TOO_LARGE.name(),
                message,
                context.request().remoteAddress() == null
                    ? "unknown"
                    : context.request().remoteAddress().hostAddress(),
                delivery != null && DeliveryHeaders.DELIVERY_PATTERN.matcher(delivery).matches()
                    ? delivery
                    : null,
                event != null && DeliveryHeaders.EVENT_PATTERN.matcher(event).matches()
                    ? event
                    : null,
                null));
  }
}
