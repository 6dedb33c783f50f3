package dev.tollgate.gateway.bench;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code POST /benchmark/trivial}: reads the body and answers 202, nothing else. The load benchmark
 * measures it next to {@code POST /webhooks/github} on the same server as the ceiling the server
 * itself allows.
 *
 * <p>It lives in {@code src/bench/java}, compiled only by the Maven profile {@code bench} into its
 * own output ({@code gateway/target/bench}, what {@code gateway/bench/run} builds and starts): the
 * production gateway ({@code gateway/target/quarkus-app}, the container image) never holds it, so
 * there is no setting that could switch it on there.
 */
@ApplicationScoped
public class TrivialEndpoint {

  void install(@Observes Router router) {
    router
        .post("/benchmark/trivial")
        .handler(BodyHandler.create().setBodyLimit(26_214_400L))
        .handler(context -> context.response().setStatusCode(202).end());
  }
}
