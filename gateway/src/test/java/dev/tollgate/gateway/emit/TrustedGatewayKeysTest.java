package dev.tollgate.gateway.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.Fixtures;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedGatewayKeysTest {

  private static final EventSigner GATEWAY =
      new EventSigner(Optional.of(Fixtures.testResource(Fixtures.SIGNING_KEY).toString()));
  private static final String OTHER_PUBLIC =
      Fixtures.testResource(Fixtures.OTHER_PUBLIC_KEY).toString();

  @Test
  void ring_nothingListed_trustsTheOwnKeyOnly() {
    assertThat(new TrustedGatewayKeys(GATEWAY, Optional.empty()).ring().keys().keySet())
        .containsExactly(GATEWAY.keyId());
  }

  @Test
  void ring_otherKeyListed_trustsItAndTheOwnKey() {
    TrustedGatewayKeys keys = new TrustedGatewayKeys(GATEWAY, Optional.of(List.of(OTHER_PUBLIC)));

    assertThat(keys.ring().keys()).hasSize(2).containsKey(GATEWAY.keyId());
  }

  @Test
  void read_missingFile_refusesNamingTheVariableAndTheFile(@TempDir Path dir) {
    String missing = dir.resolve("gateway-events.pub.pem").toString();

    assertThatThrownBy(() -> new TrustedGatewayKeys(GATEWAY, Optional.of(List.of(missing))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("TOLLGATE_TRUST_GATEWAY_KEYS")
        .hasMessageContaining(missing);
  }

  @Test
  void read_privateKeyListed_refusesWithoutPrintingIt() {
    String privateKey = Fixtures.testResource(Fixtures.SIGNING_KEY).toString();

    assertThatThrownBy(() -> new TrustedGatewayKeys(GATEWAY, Optional.of(List.of(privateKey))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageNotContaining("PRIVATE KEY")
        .hasMessageContaining("tollgate.trust.gateway-keys");
  }
}
