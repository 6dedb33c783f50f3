package dev.tollgate.gateway.bench;

import dev.tollgate.gateway.GatewayConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@code POST /benchmark/trivial}, only when {@code tollgate.gateway.benchmark.trivial-endpoint} is
 * true: reads the body and answers 202, nothing else. The load benchmark measures it next to {@code
 * POST /webhooks/github} on the same server as the ceiling the server itself allows.
 */
@ApplicationScoped
public class TrivialEndpoint {

  @Inject GatewayConfig config;

  void install(@Observes Router router) {
    if (!config.benchmark().trivialEndpoint()) {
      return;
    }
    router
        .post("/benchmark/trivial")
        .handler(BodyHandler.create().setBodyLimit(26_214_400L))
        .handler(context -> context.response().setStatusCode(202).end());
  }
}
