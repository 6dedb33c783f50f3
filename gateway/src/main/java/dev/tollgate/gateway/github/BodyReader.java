package dev.tollgate.gateway.github;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * Reads a delivery's body whole, within the bounds that hold before anyone is authenticated: the
 * body limit ({@code quarkus.http.limits.max-body-size}, 413 past it), the {@link BodyBudget} (503
 * with Retry-After past it) and the read timeout (408). Vert.x' BodyHandler would read as well, but
 * it decodes form bodies into attributes, and the signature is over the raw bytes.
 *
 * <p>Every request gets an answer. One refused by the budget is answered at once and the rest of
 * its body read and discarded, never held: closing the connection under a client that is still
 * sending makes it lose the answer too (measured: most of 40 oversized requests got none).
 */
final class BodyReader {

  /** Hands a body read whole on to be delivered. */
  @FunctionalInterface
  interface Delivery {
    void deliver(RoutingContext routing, byte[] body);
  }

  /** Answers a request refused while its body was read. */
  @FunctionalInterface
  interface Refusal {
    /**
     * @param close whether to close the connection once answered: only when the client is not
     *     sending any more (a read that timed out)
     */
    void refuse(RoutingContext routing, WebhookRejectedException why, boolean close);
  }

  private final BodyBudget budget;
  private final long maxBodySize;
  private final long readTimeoutMillis;

  BodyReader(BodyBudget budget, long maxBodySize, Duration readTimeout) {
    this.budget = budget;
    this.maxBodySize = maxBodySize;
    this.readTimeoutMillis = Math.max(1, readTimeout.toMillis());
  }

  void read(RoutingContext routing, Delivery delivery, Refusal refusal) {
    HttpServerRequest request = routing.request();
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && !"100-continue".equalsIgnoreCase(expect)) {
      routing.fail(417);
      return;
    }
    long declared = declaredLength(request);
    BodyBudget.Claim claim = budget.open(declared);
    if (claim == null) {
      // Answered before 100 Continue: a client that waits for it sends no body at all.
      discardRest(request);
      refusal.refuse(routing, exhausted(), false);
      return;
    }
    routing.addEndHandler(ignored -> claim.release());
    if (expect != null && request.version() != HttpVersion.HTTP_1_0) {
      routing.response().writeContinue();
    }
    // A declared length over the limit was answered by BodyLimitGuard before this runs; the limit
    // is counted here for bodies without one. The buffer is sized by the declared length, but never
    // more than 64 KB up front on a client's word.
    Buffer[] body = {Buffer.buffer((int) Math.min(declared < 0 ? 1024 : declared, 65_536))};
    long[] read = {0};
    Vertx vertx = routing.vertx();
    // Every handler below runs on the request's event loop, the timer's too: no races on these.
    long timer =
        vertx.setTimer(
            readTimeoutMillis,
            id -> {
              if (body[0] != null) {
                body[0] = null;
                claim.release();
                refusal.refuse(routing, timedOut(), true);
              }
            });
    request
        .handler(
            chunk -> {
              if (body[0] == null) {
                return; // refused: the rest is discarded
              }
              read[0] += chunk.length();
              if (read[0] > maxBodySize) {
                stop(vertx, timer, body, claim);
                routing.fail(413);
              } else if (!claim.grow(chunk.length())) {
                stop(vertx, timer, body, claim);
                refusal.refuse(routing, exhausted(), false);
              } else {
                body[0].appendBuffer(chunk);
              }
            })
        .exceptionHandler(
            failure -> {
              if (body[0] != null) {
                stop(vertx, timer, body, claim);
                routing.fail(400, failure);
              }
            })
        .endHandler(
            ignored -> {
              vertx.cancelTimer(timer);
              if (body[0] != null) {
                byte[] bytes = body[0].getBytes();
                body[0] = null;
                delivery.deliver(routing, bytes);
              }
            })
        .resume();
  }

  /** Drops what was read so far and gives its share of the budget back at once. */
  private static void stop(Vertx vertx, long timer, Buffer[] body, BodyBudget.Claim claim) {
    vertx.cancelTimer(timer);
    body[0] = null;
    claim.release();
  }

  private static void discardRest(HttpServerRequest request) {
    request.handler(ignored -> {}).exceptionHandler(ignored -> {}).resume();
  }

  private static WebhookRejectedException exhausted() {
    return new WebhookRejectedException(
        RejectionCode.BODY_BUDGET_EXHAUSTED,
        "The gateway holds as many request bodies as it may before authenticating them"
            + " (tollgate.gateway.intake.*). Retry later; GitHub's redelivery keeps the trigger"
            + " id.");
  }

  private WebhookRejectedException timedOut() {
    return new WebhookRejectedException(
        RejectionCode.BODY_READ_TIMEOUT,
        "The body was not received within "
            + readTimeoutMillis
            + " ms (tollgate.gateway.intake.body-read-timeout).");
  }

  static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || length.isEmpty()) {
      return -1;
    }
    try {
      return Math.max(-1, Long.parseLong(length));
    } catch (NumberFormatException unparseable) {
      return -1;
    }
  }
}
