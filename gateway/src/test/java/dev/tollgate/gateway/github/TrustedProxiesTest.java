package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  @Test
  void check_forwardingWithoutTrustedProxies_refusesToStart() {
    assertThatThrownBy(() -> TrustedProxies.check(true, List.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("quarkus.http.proxy.trusted-proxies");
    assertThatThrownBy(() -> TrustedProxies.check(true, List.of(" ")))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void check_forwardingWithTrustedProxiesOrOff_starts() {
    assertThatCode(() -> TrustedProxies.check(true, List.of("10.42.0.0/16")))
        .doesNotThrowAnyException();
    assertThatCode(() -> TrustedProxies.check(false, List.of())).doesNotThrowAnyException();
  }
}
