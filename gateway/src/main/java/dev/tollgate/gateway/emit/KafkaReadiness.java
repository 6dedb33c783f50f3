package dev.tollgate.gateway.emit;

import dev.tollgate.schemas.kafka.KafkaClientSettings;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
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

  /** Every {@code kafka.*} setting; the brokers and how to authenticate are taken from it. */
  @Inject
  @Identifier("default-kafka-broker")
  Map<String, Object> kafka;

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
      admin = Admin.create(adminSettings(kafka));
    }
    return admin;
  }

  /** The gateway's brokers and credentials, with the readiness check's own short bounds. */
  static Map<String, Object> adminSettings(Map<String, Object> kafka) {
    Map<String, Object> settings = new HashMap<>(KafkaClientSettings.connection(kafka));
    settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    settings.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "tollgate-gateway-readiness");
    return settings;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
