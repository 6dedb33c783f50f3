package dev.tollgate.verifier.authenticity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.testing.TestEventKeys;
import io.quarkus.runtime.Startup;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The verifier's event keys are read once at startup (the bean is eager), and a verifier without
 * its own key or without a trusted gateway key does not start: it fails closed, with a message that
 * names the property and never holds key material.
 */
class EventKeysTest {
  private static final String OWN = TestEventKeys.file("verifier-events.pem").toString();
  private static final String GATEWAY = TestEventKeys.file("gateway-events.pub.pem").toString();
  private static final String PREVIOUS =
      TestEventKeys.file("verifier-events-previous.pub.pem").toString();

  private static EventKeys keys(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(EventKeysConfig.Signing.class)
            .withMapping(EventKeysConfig.Trust.class)
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .build();
    return new EventKeys(
        config.getConfigMapping(EventKeysConfig.Signing.class),
        config.getConfigMapping(EventKeysConfig.Trust.class));
  }

  private static Map<String, String> complete() {
    Map<String, String> p = new HashMap<>();
    p.put("tollgate.signing.key-file", OWN);
    p.put("tollgate.trust.gateway-keys", GATEWAY);
    p.put("tollgate.trust.verifier-keys", PREVIOUS);
    return p;
  }

  @Test
  void eventKeys_bean_isCreatedAtStartup() {
    assertThat(EventKeys.class.isAnnotationPresent(Startup.class)).isTrue();
  }

  @Test
  void new_completeConfiguration_ownKeyAndBothVerifierKeysTrusted() {
    EventKeys keys = keys(complete());

    assertThat(keys.own().keyId()).isEqualTo(TestEventKeys.verifier().keyId());
    assertThat(keys.gateways().key(TestEventKeys.gateway().keyId())).isPresent();
    assertThat(keys.verifiers().key(TestEventKeys.verifier().keyId())).isPresent();
    assertThat(keys.verifiers().key(TestEventKeys.previousVerifier().keyId())).isPresent();
    assertThat(keys.verifiers().key(TestEventKeys.gateway().keyId())).isEmpty();
  }

  @Test
  void new_noGatewayKeys_refusesToStartNamingTheProperty() {
    Map<String, String> p = complete();
    p.remove("tollgate.trust.gateway-keys");

    assertThatThrownBy(() -> keys(p))
        .isInstanceOf(EventKeys.KeysUnusableException.class)
        .hasMessageContaining("tollgate.trust.gateway-keys")
        .hasMessageContaining("does not start");
  }

  @Test
  void new_noOwnKey_refusesToStartNamingTheProperty() {
    Map<String, String> p = complete();
    p.remove("tollgate.signing.key-file");

    assertThatThrownBy(() -> keys(p))
        .isInstanceOf(EventKeys.KeysUnusableException.class)
        .hasMessageContaining("tollgate.signing.key-file");
  }

  @Test
  void new_privateKeyGivenAsGatewayKey_refusesWithoutPrintingTheKey() throws Exception {
    Map<String, String> p = complete();
    String privateKeyFile = TestEventKeys.file("gateway-events.pem").toString();
    p.put("tollgate.trust.gateway-keys", privateKeyFile);
    String pem =
        Files.readString(TestEventKeys.file("gateway-events.pem"), StandardCharsets.US_ASCII);
    String base64 = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    assertThatThrownBy(() -> keys(p))
        .isInstanceOf(EventKeys.KeysUnusableException.class)
        .hasMessageContaining("cannot be read")
        .hasMessageNotContaining(base64);
  }

  @Test
  void new_ownKeyFileMissing_refusesToStart() {
    Map<String, String> p = complete();
    p.put("tollgate.signing.key-file", OWN + ".missing");

    assertThatThrownBy(() -> keys(p))
        .isInstanceOf(EventKeys.KeysUnusableException.class)
        .hasMessageContaining("cannot read signing key");
  }

  @Test
  void toString_ownKey_namesOnlyTheKeyId() {
    String printed = keys(complete()).own().toString();

    assertThat(printed).isEqualTo("EventSigningKey[" + TestEventKeys.verifier().keyId() + "]");
  }
}
