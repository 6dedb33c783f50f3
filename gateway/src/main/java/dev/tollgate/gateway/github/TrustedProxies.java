package dev.tollgate.gateway.github;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start with forwarded client addresses believed from anyone. The address in a rejection
 * event is what SRE alerting and blocking act on; with {@code
 * quarkus.http.proxy.proxy-address-forwarding} on and no {@code
 * quarkus.http.proxy.trusted-proxies}, Quarkus takes {@code X-Forwarded-For} from every peer, so
 * any client could name itself someone else. With trusted proxies, a forwarded header from any
 * other peer is ignored.
 */
@Singleton
public class TrustedProxies {

  static final String FORWARDING = "quarkus.http.proxy.proxy-address-forwarding";
  static final String TRUSTED = "quarkus.http.proxy.trusted-proxies";

  @ConfigProperty(name = FORWARDING, defaultValue = "false")
  boolean forwarding;

  @ConfigProperty(name = TRUSTED)
  Optional<List<String>> trusted;

  void check(@Observes StartupEvent started) {
    check(forwarding, trusted.orElse(List.of()));
  }

  /**
   * @throws ConfigurationException when forwarded addresses would be believed from every peer
   */
  static void check(boolean forwarding, List<String> trusted) {
    if (forwarding && trusted.stream().allMatch(String::isBlank)) {
      throw new ConfigurationException(
          FORWARDING
              + " is on but "
              + TRUSTED
              + " names no proxy: every client could set its own address through"
              + " X-Forwarded-For. Name the ingress controllers' addresses or CIDR ranges, or turn"
              + " forwarding off.",
          Set.of(FORWARDING, TRUSTED));
    }
  }
}
