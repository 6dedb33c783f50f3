package dev.tollgate.gateway.leader;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * The gateway's one {@link Leadership}, joined at startup and left at shutdown (so that another
 * replica takes over at once rather than after the session timeout), with the gauge {@code
 * tollgate.gateway.leader} (1 on the replica that leads, 0 elsewhere).
 */
@Singleton
public class Leaders {

  @Produces
  @Singleton
  Leadership leadership(
      GatewayConfig config,
      @Identifier("default-kafka-broker") Map<String, Object> kafka,
      MeterRegistry meters) {
    GatewayConfig.Leader settings = config.leader();
    Leadership leadership =
        new Leadership(
            KafkaClientSettings.connection(kafka),
            settings.topic(),
            settings.group(),
            settings.sessionTimeout());
    Gauge.builder("tollgate.gateway.leader", leadership, l -> l.leading() ? 1 : 0)
        .description("1 on the gateway replica that runs the schedules and the redelivery job")
        .register(meters);
    return leadership;
  }

  void start(@Observes StartupEvent started, Leadership leadership) {
    leadership.start();
  }

  void stop(@Observes ShutdownEvent stopping, Leadership leadership) {
    leadership.close();
  }
}
