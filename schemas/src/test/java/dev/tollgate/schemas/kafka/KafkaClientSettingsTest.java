package dev.tollgate.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {

  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tollgate-ledger\""
          + " password=\"s3cr3t-value\";";

  @Test
  void connection_quarkusBrokerMap_keepsOnlyConnectionAndSecuritySettings() {
    Map<String, Object> connection =
        KafkaClientSettings.connection(
            Map.of(
                "bootstrap.servers", "kafka:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/tollgate/kafka-ca/ca.crt",
                "config.providers", "dir",
                "config.providers.dir.class",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "group.id", "tollgate-ledger",
                "transactional.id", "someone-else",
                "acks", "0"));

    assertThat(connection)
        .containsOnlyKeys(
            "bootstrap.servers",
            "security.protocol",
            "sasl.mechanism",
            "sasl.jaas.config",
            "ssl.truststore.location",
            "config.providers",
            "config.providers.dir.class");
  }

  @Test
  void fromFile_commandConfig_readsAsKafkaToolsDo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("client.properties");
    Files.writeString(
        file,
        "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config="
            + JAAS.replace("\"", "\\\"")
            + "\ngroup.id=mine\n");

    Map<String, Object> settings = KafkaClientSettings.fromFile(file);

    assertThat(settings)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", JAAS)
        .doesNotContainKey("group.id");
  }

  @Test
  void fromFile_missing_failsNamingTheFileOnly(@TempDir Path dir) {
    assertThatThrownBy(() -> KafkaClientSettings.fromFile(dir.resolve("absent.properties")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("absent.properties");
  }
}
