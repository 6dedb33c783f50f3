package dev.tollgate.gateway.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.signing.EventPublicKey;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSignerTest {

  private static final Path KEY = Fixtures.testResource(Fixtures.SIGNING_KEY);
  private static final Path PUBLIC_KEY = Fixtures.testResource(Fixtures.SIGNING_PUBLIC_KEY);

  @Test
  void read_unsetOrBlank_refusesNamingTheVariable() {
    for (Optional<String> unset : List.of(Optional.<String>empty(), Optional.of("  "))) {
      assertThatThrownBy(() -> EventSigner.read(unset))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("TOLLGATE_SIGNING_KEY_FILE")
          .hasMessageContaining("tollgate.signing.key-file")
          .hasMessageContaining("is not set");
    }
  }

  @Test
  void read_missingFile_refusesNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("gateway-events.pem");

    assertThatThrownBy(() -> EventSigner.read(Optional.of(missing.toString())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("TOLLGATE_SIGNING_KEY_FILE");
  }

  @Test
  void read_publicKeyInsteadOfPrivate_refusesWithoutQuotingTheFile() throws Exception {
    String content = Files.readString(PUBLIC_KEY, StandardCharsets.US_ASCII);
    String base64 = content.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    assertThatThrownBy(() -> EventSigner.read(Optional.of(PUBLIC_KEY.toString())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("PRIVATE KEY")
        .hasMessageNotContaining(base64);
  }

  @Test
  void read_privateKey_signsUnderItsPublicKeyIdAndPrintsNoKey() throws Exception {
    EventSigner signer = new EventSigner(Optional.of(KEY.toString()));
    String base64 =
        Files.readString(KEY, StandardCharsets.US_ASCII)
            .lines()
            .filter(l -> !l.startsWith("-----"))
            .findFirst()
            .orElseThrow();

    assertThat(signer.keyId()).isEqualTo(EventPublicKey.read(PUBLIC_KEY).keyId());
    assertThat(signer.serializer().keyId()).isEqualTo(signer.keyId());
    assertThat(signer.toString()).contains(signer.keyId()).doesNotContain(base64);
  }
}
