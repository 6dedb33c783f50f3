package dev.tollgate.gateway.emit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the Kafka cluster cannot be reached: a gateway that can only answer 503 should
 * leave the load balancer's rotation. Asks the cluster for its nodes with a short bound, so the
 * readiness probe itself answers within a few seconds.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

  private static final int TIMEOUT_MS = 2000;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  private Admin admin;

  @Override
  public HealthCheckResponse call() {
    try {
      int nodes =
          admin()
              .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS))
              .nodes()
              .get(TIMEOUT_MS + 500L, TimeUnit.MILLISECONDS)
              .size();
      return HealthCheckResponse.named("kafka").status(nodes > 0).withData("nodes", nodes).build();
    } catch (ExecutionException | TimeoutException e) {
      return HealthCheckResponse.named("kafka")
          .down()
          .withData("error", e.getClass().getSimpleName())
          .build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return HealthCheckResponse.named("kafka").down().build();
    }
  }

  private synchronized Admin admin() {
    if (admin == null) {
      admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                  AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000,
                  AdminClientConfig.CLIENT_ID_CONFIG, "tollgate-gateway-readiness"));
    }
    return admin;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
