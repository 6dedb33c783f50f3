package dev.tollgate.verifier.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * cosign reads the payload with Go's encoding/json, whose key matching is case-insensitive; the
 * capitalised forms come from the containers/image signature format (containers-signature.5).
 */
class SimpleSigningPayloadTest {
  static final String DIGEST =
      "sha256:0000000000000000000000000000000000000000000000000000000000000001";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"%s\"},\"type\":\"cosign container image signature\"}}",
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"Docker-manifest-digest\":\"%s\"},\"type\":\"cosign container image signature\"}}",
        "{\"Critical\":{\"Identity\":{\"Docker-reference\":\"r\"},\"Image\":{\"Docker-Manifest-Digest\":\"%s\"},\"Type\":\"cosign container image signature\"}}"
      })
  void parse_documentedCapitalisations_readsDigest(String template) throws Exception {
    SimpleSigningPayload p =
        SimpleSigningPayload.parse(template.replace("%s", DIGEST).getBytes(StandardCharsets.UTF_8));

    assertThat(p.dockerManifestDigest()).isEqualTo(DIGEST);
    assertThat(p.type()).isEqualTo(SimpleSigningPayload.COSIGN_TYPE);
  }

  @Test
  void parse_keysDifferingOnlyInCase_rejected() {
    String twice =
        "{\"critical\":{\"image\":{\"docker-manifest-digest\":\""
            + DIGEST
            + "\",\"Docker-manifest-digest\":\"sha256:ff\"},\"type\":\"cosign container image signature\"}}";

    assertThatThrownBy(() -> SimpleSigningPayload.parse(twice.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedSignatureException.class)
        .hasMessageContaining("differing only in case");
  }

  @Test
  void parse_noDigest_rejected() {
    assertThatThrownBy(
            () -> SimpleSigningPayload.parse("{\"critical\":{}}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedSignatureException.class);
  }
}
