package dev.tollgate.deploy.demo.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AttestationsTest {

  @Test
  void pae_specExample_matchesDssePreAuthenticationEncoding() {
    // Known answer from the DSSE protocol specification (secure-systems-lab/dsse, protocol.md:
    // "PAE(type, body)" example).
    byte[] pae =
        Attestations.pae(
            "http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(pae, StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }
}
