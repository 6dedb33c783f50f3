package dev.tollgate.gateway.emit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaReadinessTest {

  @Test
  void adminSettings_securedBroker_carriesTheGatewaysCredentialsAndNothingElse() {
    Map<String, Object> settings =
        KafkaReadiness.adminSettings(
            Map.of(
                "bootstrap.servers", "kafka:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "ScramLoginModule required username=\"tollgate-gateway\";",
                "ssl.truststore.location", "/etc/tollgate/kafka-ca/ca.crt",
                "group.id", "tollgate-gateway",
                "acks", "all"));

    assertThat(settings)
        .containsEntry("bootstrap.servers", "kafka:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsKey("sasl.jaas.config")
        .containsEntry("ssl.truststore.location", "/etc/tollgate/kafka-ca/ca.crt")
        .containsEntry("client.id", "tollgate-gateway-readiness")
        .doesNotContainKeys("group.id", "acks");
  }
}
