package dev.tollgate.schemas.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.utils.Utils;

/**
 * The settings every Kafka client of Tollgate shares: where the brokers are and how to authenticate
 * to them ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, Kafka's {@code
 * config.providers}), under the names Kafka users set for any client. Each hand-made client merges
 * them under its own fixed settings, so one place of configuration ({@code kafka.*} in a service,
 * {@code --command-config} in the auditor) secures every client, and settings that belong to one
 * client (a group id, a transactional id) never leak into another.
 */
public final class KafkaClientSettings {

  private static final Set<String> CONNECTION =
      Set.of(
          CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
          CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG,
          CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
          "security.providers",
          AbstractConfig.CONFIG_PROVIDERS_CONFIG);

  private KafkaClientSettings() {}

  /**
   * The connection and security settings among {@code settings} (for example Quarkus' {@code
   * default-kafka-broker} map, which holds every {@code kafka.*} property and {@code KAFKA_*}
   * environment variable), without any other.
   */
  public static Map<String, Object> connection(Map<String, ?> settings) {
    Map<String, Object> connection = new HashMap<>();
    settings.forEach(
        (name, value) -> {
          if (value != null && isConnectionSetting(name)) {
            connection.put(name, value);
          }
        });
    return Map.copyOf(connection);
  }

  /** Only {@code bootstrap.servers}: a broker without authentication, as in the local stack. */
  public static Map<String, Object> plaintext(String bootstrapServers) {
    return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
  }

  /**
   * The connection and security settings of a Kafka client properties file, read as Kafka's own
   * tools read their {@code --command-config}; any other setting in it is ignored.
   *
   * @throws IOException when the file cannot be read; the message names the file, never a value
   */
  public static Map<String, Object> fromFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("client settings file " + file + " does not exist");
    }
    Map<String, Object> read = new HashMap<>();
    Utils.loadProps(file.toString()).forEach((name, value) -> read.put((String) name, value));
    return connection(read);
  }

  /** Whether {@code name} is how the client reaches and authenticates to the brokers. */
  public static boolean isConnectionSetting(String name) {
    return CONNECTION.contains(name)
        || name.startsWith("sasl.")
        || name.startsWith("ssl.")
        || name.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".");
  }
}
