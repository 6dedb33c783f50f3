package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.gateway.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {

  private static final byte[] BODY =
      "{\"zen\":\"Keep it logically awesome.\"}".getBytes(StandardCharsets.UTF_8);

  private static final SignatureVerifier VERIFIER =
      new SignatureVerifier(WebhookSecrets.parse("retired-secret,current-secret,next-secret"));

  @Test
  void verify_githubDocumentedVector_passes() {
    // Known-answer test from GitHub Docs, "Validating webhook deliveries", section "Testing the
    // webhook payload validation":
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    SignatureVerifier verifier =
        new SignatureVerifier(WebhookSecrets.parse("It's a Secret to Everybody"));
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);

    assertThatCode(
            () ->
                verifier.verify(
                    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                    body))
        .doesNotThrowAnyException();
  }

  @Test
  void verify_githubDocumentedVectorWithOneBitFlipped_failsWithMismatch() {
    SignatureVerifier verifier =
        new SignatureVerifier(WebhookSecrets.parse("It's a Secret to Everybody"));
    byte[] body = "Hello, World?".getBytes(StandardCharsets.UTF_8);

    assertThat(
            rejection(
                verifier,
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                body))
        .isEqualTo(RejectionCode.SIGNATURE_MISMATCH);
  }

  @Test
  void verify_anyConfiguredSecret_passes() {
    for (String secret : new String[] {"retired-secret", "current-secret", "next-secret"}) {
      assertThatCode(() -> VERIFIER.verify(Fixtures.sign(secret, BODY), BODY))
          .as("signed with %s", secret)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void verify_wrongSecret_failsWithMismatch() {
    assertThat(rejection(VERIFIER, Fixtures.sign("guessed-secret", BODY), BODY))
        .isEqualTo(RejectionCode.SIGNATURE_MISMATCH);
  }

  @Test
  void verify_otherBody_failsWithMismatch() {
    byte[] other = "{\"zen\":\"Keep it logically awesome!\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(rejection(VERIFIER, Fixtures.sign("current-secret", BODY), other))
        .isEqualTo(RejectionCode.SIGNATURE_MISMATCH);
  }

  @Test
  void verify_truncatedDigest_failsAsMalformed() {
    String signature = Fixtures.sign("current-secret", BODY);

    assertThat(rejection(VERIFIER, signature.substring(0, signature.length() - 2), BODY))
        .isEqualTo(RejectionCode.SIGNATURE_MALFORMED);
  }

  @Test
  void verify_uppercaseDigest_failsAsMalformed() {
    String hex = Fixtures.sign("current-secret", BODY).substring("sha256=".length());

    assertThat(rejection(VERIFIER, "sha256=" + hex.toUpperCase(Locale.ROOT), BODY))
        .isEqualTo(RejectionCode.SIGNATURE_MALFORMED);
  }

  @Test
  void verify_nonHexDigest_failsAsMalformed() {
    assertThat(rejection(VERIFIER, "sha256=" + "g".repeat(64), BODY))
        .isEqualTo(RejectionCode.SIGNATURE_MALFORMED);
  }

  @Test
  void verify_digestWithoutPrefix_failsAsMalformed() {
    String hex = Fixtures.sign("current-secret", BODY).substring("sha256=".length());

    assertThat(rejection(VERIFIER, hex, BODY)).isEqualTo(RejectionCode.SIGNATURE_MALFORMED);
  }

  @Test
  void verify_validSha1Signature_failsAsUnsupportedAlgorithm() {
    assertThat(rejection(VERIFIER, Fixtures.signSha1("current-secret", BODY), BODY))
        .isEqualTo(RejectionCode.SIGNATURE_UNSUPPORTED_ALGORITHM);
  }

  @Test
  void verify_uppercasePrefix_failsAsUnsupportedAlgorithm() {
    String hex = Fixtures.sign("current-secret", BODY).substring("sha256=".length());

    assertThat(rejection(VERIFIER, "SHA256=" + hex, BODY))
        .isEqualTo(RejectionCode.SIGNATURE_UNSUPPORTED_ALGORITHM);
  }

  @Test
  void verify_missingHeader_failsAsMissing() {
    assertThat(rejection(VERIFIER, null, BODY)).isEqualTo(RejectionCode.SIGNATURE_MISSING);
    assertThat(rejection(VERIFIER, "", BODY)).isEqualTo(RejectionCode.SIGNATURE_MISSING);
  }

  @Test
  void verify_emptyBodySignedCorrectly_passes() {
    byte[] empty = new byte[0];

    assertThatCode(() -> VERIFIER.verify(Fixtures.sign("next-secret", empty), empty))
        .doesNotThrowAnyException();
  }

  @Test
  void verify_mismatch_messageNamesNoSecret() {
    WebhookRejectedException e =
        catchThrowableOfType(
            WebhookRejectedException.class,
            () -> VERIFIER.verify(Fixtures.sign("guessed-secret", BODY), BODY));

    assertThat(e.getMessage())
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET")
        .doesNotContain("retired-secret", "current-secret", "next-secret", "guessed-secret");
  }

  private static RejectionCode rejection(SignatureVerifier verifier, String header, byte[] body) {
    WebhookRejectedException e =
        catchThrowableOfType(WebhookRejectedException.class, () -> verifier.verify(header, body));
    assertThat(e).as("verification of %s should fail", header).isNotNull();
    return e.code();
  }
}
