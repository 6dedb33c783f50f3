package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WriterSettingsTest {

  private static WriterSettings settings(Map<String, Object> connection) {
    return new WriterSettings(
        "kafka:9093",
        Map.of("tollgate.triggers.v1", LedgerRecord.Kind.TRIGGER),
        "tollgate.ledger.v1",
        "tollgate-ledger",
        "tollgate-ledger-writer.tollgate.ledger.v1",
        Duration.ofMillis(100),
        Duration.ofMillis(200),
        CheckpointPolicy.defaults("tollgate.ledger.v1"),
        Optional.empty(),
        connection);
  }

  @Test
  void connection_securitySettings_keptWithTheWritersBootstrapAndNothingElse() {
    WriterSettings settings =
        settings(
            Map.of(
                "bootstrap.servers", "elsewhere:9092",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "group.id", "someone-else"));

    assertThat(settings.connection())
        .containsEntry("bootstrap.servers", "kafka:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .doesNotContainKey("group.id");
  }

  @Test
  void toString_withSaslCredentials_namesNoSecret() {
    WriterSettings settings =
        settings(
            Map.of(
                "sasl.jaas.config",
                "ScramLoginModule required username=\"tollgate-ledger\" password=\"s3cr3t\";"));

    assertThat(settings.toString()).contains("sasl.jaas.config").doesNotContain("s3cr3t");
  }
}
