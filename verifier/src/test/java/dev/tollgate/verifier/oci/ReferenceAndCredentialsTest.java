package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of references and docker config.json credentials. */
class ReferenceAndCredentialsTest {
  static final String HEX = "a".repeat(64);

  @Test
  void parse_hostPortRepoTagAndDigest_digestWins() throws Exception {
    ImageReference r = ImageReference.parse("registry.local:5000/acme/pipes:v1@sha256:" + HEX);

    assertThat(r.repository()).isEqualTo(new Repository("registry.local:5000", "acme/pipes"));
    assertThat(r.tag()).contains("v1");
    assertThat(r.digest()).contains(new Digest(HEX));
  }

  @Test
  void parse_dockerHubShortName_libraryAndLatest() throws Exception {
    ImageReference r = ImageReference.parse("alpine");

    assertThat(r.repository()).isEqualTo(new Repository("docker.io", "library/alpine"));
    assertThat(r.tag()).contains("latest");
  }

  @Test
  void parse_badDigest_invalidReference() {
    assertThatThrownBy(() -> ImageReference.parse("r.io/a@sha256:abc"))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.INVALID_REFERENCE));
  }

  @Test
  void fromDockerConfig_authAndUsernamePassword_readAndRedacted(@TempDir Path dir)
      throws Exception {
    String auth =
        Base64.getEncoder().encodeToString("robot:pa:ss".getBytes(StandardCharsets.UTF_8));
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
            + auth
            + "\"},"
            + "\"ghcr.io\":{\"username\":\"u\",\"password\":\"p\"}},\"credsStore\":\"desktop\"}",
        StandardCharsets.UTF_8);

    RegistryCredentials creds = RegistryCredentials.fromDockerConfig(config);

    assertThat(creds.forRegistry("docker.io").orElseThrow().username()).isEqualTo("robot");
    assertThat(creds.forRegistry("docker.io").orElseThrow().password().reveal()).isEqualTo("pa:ss");
    assertThat(creds.forRegistry("ghcr.io")).isPresent();
    assertThat(creds.forRegistry("quay.io")).isEmpty();
    assertThat(creds.forRegistry("docker.io").orElseThrow().toString()).doesNotContain("pa:ss");
  }

  @Test
  void fromDockerConfig_notJson_errorDoesNotQuoteContent(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"auths\": topsecret", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> RegistryCredentials.fromDockerConfig(config))
        .isInstanceOf(OciException.class)
        .hasMessageNotContaining("topsecret");
  }
}
