package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

class WebhookSecretsTest {

  @Test
  void toString_severalSecrets_showsCountAndNoSecret() {
    WebhookSecrets secrets = WebhookSecrets.parse("hunter2-rotating-out,correct-horse-battery");

    assertThat(secrets.count()).isEqualTo(2);
    assertThat(secrets.toString())
        .contains("2")
        .doesNotContain("hunter2", "correct-horse", "battery");
    assertThat(String.valueOf(new SignatureVerifier(secrets)))
        .doesNotContain("hunter2", "correct-horse");
  }

  @Test
  void parse_blankEntry_failsNamingItsPositionOnly() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2-one,,hunter2-three"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 3 is blank")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void parse_trailingComma_failsAsBlankEntry() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2,"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2 is blank");
  }

  @Test
  void parse_whitespaceOnlyEntry_failsAsBlankEntry() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2,   "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2 is blank");
  }

  @Test
  void parse_entryWithTrailingNewline_failsWithoutQuotingIt() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 1 of 1 has leading or trailing whitespace")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void parse_spaceAfterComma_fails() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2, hunter3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2");
  }

  @Test
  void parse_secretWithInnerSpaces_keepsThem() {
    WebhookSecrets secrets = WebhookSecrets.parse("It's a Secret to Everybody");

    assertThat(secrets.count()).isEqualTo(1);
  }

  @Test
  void secrets_unset_failsNamingTheVariable() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class, () -> SignatureVerifiers.secrets(Optional.empty()));

    assertThat(e.getMessage())
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET", "tollgate.github.webhook-secret", "not set");
  }

  @Test
  void secrets_blank_failsNamingTheVariable() {
    assertThatThrownBy(() -> SignatureVerifiers.secrets(Optional.of("  ")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("TOLLGATE_GITHUB_WEBHOOK_SECRET");
  }

  @Test
  void secrets_unusable_failsNamingTheVariableNotTheValue() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> SignatureVerifiers.secrets(Optional.of("hunter2,")));

    assertThat(e.getMessage())
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET", "entry 2 of 2 is blank")
        .doesNotContain("hunter2");
  }

  private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");
  private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);

  @Test
  void match_secretBeforeItsNotAfter_isActive() throws Exception {
    WebhookSecrets secrets = WebhookSecrets.parse("hunter2-old@2026-12-01T00:00:00Z,hunter2-new");

    assertThat(secrets.match(BODY, mac("hunter2-old", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.ACTIVE);
    assertThat(secrets.activeCount(NOW)).isEqualTo(2);
    assertThat(secrets.nextExpiry(NOW)).contains(Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void match_secretAfterItsNotAfter_isExpiredAndNeverActive() throws Exception {
    WebhookSecrets secrets = WebhookSecrets.parse("hunter2-old@2026-11-01T00:00:00Z,hunter2-new");

    assertThat(secrets.match(BODY, mac("hunter2-old", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.EXPIRED);
    assertThat(secrets.match(BODY, mac("hunter2-new", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.ACTIVE);
    assertThat(secrets.activeCount(NOW)).isEqualTo(1);
    assertThat(secrets.nextExpiry(NOW)).isEmpty();
  }

  @Test
  void match_exactlyAtNotAfter_isStillActive() throws Exception {
    WebhookSecrets secrets = WebhookSecrets.parse("hunter2-old@2026-11-22T09:00:00Z");

    assertThat(secrets.match(BODY, mac("hunter2-old", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.ACTIVE);
    assertThat(secrets.match(BODY, mac("hunter2-old", BODY), NOW.plusMillis(1)))
        .isEqualTo(WebhookSecrets.Match.EXPIRED);
  }

  @Test
  void parse_secretContainingAtSignWithoutInstant_keepsItWhole() throws Exception {
    WebhookSecrets secrets = WebhookSecrets.parse("hunter2@example");

    assertThat(secrets.match(BODY, mac("hunter2@example", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.ACTIVE);
  }

  @Test
  void parse_malformedNotAfter_failsNamingPositionNotValue() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2-ok,hunter2-bad@2026-13-45T99:00:00Z"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2")
        .hasMessageContaining("not-after")
        .hasNoCause()
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void secrets_allExpired_failsAtStartup() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> SignatureVerifiers.secrets(Optional.of("hunter2@2026-01-01T00:00:00Z"), NOW));

    assertThat(e.getMessage())
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET", "not-after has passed")
        .doesNotContain("hunter2");
  }

  @Test
  void verify_expiredSecret_failsAsExpiredNamingNoSecret() throws Exception {
    SignatureVerifier verifier =
        new SignatureVerifier(
            WebhookSecrets.parse("hunter2-old@2026-11-01T00:00:00Z,hunter2-new"),
            Clock.fixed(NOW, ZoneOffset.UTC));
    String header = "sha256=" + HexFormat.of().formatHex(mac("hunter2-old", BODY));

    WebhookRejectedException e =
        catchThrowableOfType(WebhookRejectedException.class, () -> verifier.verify(header, BODY));

    assertThat(e.code()).isEqualTo(RejectionCode.SIGNATURE_SECRET_EXPIRED);
    assertThat(e.getMessage()).doesNotContain("hunter2");
  }

  private static byte[] mac(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return mac.doFinal(body);
  }

  private static Config config(Map<String, String> values) {
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(values, "test", 100))
        .build();
  }

  @Test
  void indexed_valuesWithNotAfter_verifyUntilTheirNotAfter() throws Exception {
    var indexed =
        SignatureVerifiers.indexed(
            config(
                Map.of(
                    "tollgate.github.webhook-secrets[0].value", "hunter2-old",
                    "tollgate.github.webhook-secrets[0].not-after", "2026-11-01T00:00:00Z",
                    "tollgate.github.webhook-secrets[1].value", "hunter2-new")));

    WebhookSecrets secrets = SignatureVerifiers.secrets(Optional.empty(), indexed, NOW);

    assertThat(secrets.count()).isEqualTo(2);
    assertThat(secrets.match(BODY, mac("hunter2-old", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.EXPIRED);
    assertThat(secrets.match(BODY, mac("hunter2-new", BODY), NOW))
        .isEqualTo(WebhookSecrets.Match.ACTIVE);
    assertThat(indexed.toString()).doesNotContain("hunter2");
  }

  @Test
  void indexed_valueWithCommaAndAt_isUsedVerbatim() throws Exception {
    String secret = "hunter2,part@2020-01-01T00:00:00Z";
    var indexed =
        SignatureVerifiers.indexed(
            config(Map.of("tollgate.github.webhook-secrets[0].value", secret)));

    WebhookSecrets secrets = SignatureVerifiers.secrets(Optional.empty(), indexed, NOW);

    assertThat(secrets.count()).isEqualTo(1);
    assertThat(secrets.match(BODY, mac(secret, BODY), NOW)).isEqualTo(WebhookSecrets.Match.ACTIVE);
  }

  @Test
  void indexed_malformedNotAfter_failsNamingTheIndexNotTheValue() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                SignatureVerifiers.indexed(
                    config(
                        Map.of(
                            "tollgate.github.webhook-secrets[0].value", "hunter2",
                            "tollgate.github.webhook-secrets[0].not-after", "next tuesday"))));

    assertThat(e.getMessage())
        .contains("tollgate.github.webhook-secrets[0].not-after")
        .doesNotContain("hunter2");
  }

  @Test
  void indexed_notAfterWithoutValue_fails() {
    assertThatThrownBy(
            () ->
                SignatureVerifiers.indexed(
                    config(
                        Map.of(
                            "tollgate.github.webhook-secrets[0].not-after",
                            "2026-12-01T00:00:00Z"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("without tollgate.github.webhook-secrets[0].value");
  }

  @Test
  void indexed_blankValue_failsNamingTheIndexNotTheValue() {
    var indexed =
        SignatureVerifiers.indexed(
            config(Map.of("tollgate.github.webhook-secrets[0].value", " hunter2")));

    assertThatThrownBy(() -> SignatureVerifiers.secrets(Optional.empty(), indexed, NOW))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tollgate.github.webhook-secrets[0] has leading or trailing")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void secrets_bothForms_failsNamingNoSecret() {
    var indexed =
        SignatureVerifiers.indexed(
            config(Map.of("tollgate.github.webhook-secrets[0].value", "hunter2-new")));

    assertThatThrownBy(() -> SignatureVerifiers.secrets(Optional.of("hunter2-old"), indexed, NOW))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("both set")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void indexed_noEntries_isEmptyAndStartupFails() {
    var indexed = SignatureVerifiers.indexed(config(Map.of()));

    assertThat(indexed).isEmpty();
    assertThatThrownBy(() -> SignatureVerifiers.secrets(Optional.empty(), indexed, NOW))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is not set");
  }

  private static WebhookSecrets bound(Map<String, String> values) {
    return SignatureVerifiers.secrets(
        Optional.empty(), SignatureVerifiers.indexed(config(values)), NOW);
  }

  private static final Map<String, String> HOOKS_A_AND_B =
      Map.of(
          "tollgate.github.webhook-secrets[0].value", "hunter2-hook-a",
          "tollgate.github.webhook-secrets[0].hook-id", "1001",
          "tollgate.github.webhook-secrets[1].value", "hunter2-hook-b",
          "tollgate.github.webhook-secrets[1].hook-id", "2002");

  @Test
  void verify_leakedSecretOfHookA_deliveryClaimingHookB_failsAsHookMismatchAnsweredAsMismatch()
      throws Exception {
    SignatureVerifier verifier =
        new SignatureVerifier(bound(HOOKS_A_AND_B), Clock.fixed(NOW, ZoneOffset.UTC));
    String signedWithA = "sha256=" + HexFormat.of().formatHex(mac("hunter2-hook-a", BODY));

    WebhookRejectedException e =
        catchThrowableOfType(
            WebhookRejectedException.class, () -> verifier.verify(signedWithA, BODY, "2002"));

    assertThat(e.code()).isEqualTo(RejectionCode.SIGNATURE_HOOK_MISMATCH);
    assertThat(e.code().httpStatus()).isEqualTo(401);
    // The sender learns no more than from a wrong secret; the operator's event says which.
    assertThat(e.code().answeredAs()).isEqualTo(RejectionCode.SIGNATURE_MISMATCH);
    assertThat(e.answer())
        .isEqualTo(
            catchThrowableOfType(
                    WebhookRejectedException.class,
                    () -> verifier.verify("sha256=" + "0".repeat(64), BODY, "2002"))
                .answer());
    assertThat(e.getMessage()).contains("bound to another hook", "2002").doesNotContain("hunter2");
  }

  @Test
  void verify_boundSecret_deliveryWithoutHookId_failsAsHookMismatch() throws Exception {
    SignatureVerifier verifier =
        new SignatureVerifier(bound(HOOKS_A_AND_B), Clock.fixed(NOW, ZoneOffset.UTC));
    String signedWithA = "sha256=" + HexFormat.of().formatHex(mac("hunter2-hook-a", BODY));

    WebhookRejectedException e =
        catchThrowableOfType(
            WebhookRejectedException.class, () -> verifier.verify(signedWithA, BODY, null));

    assertThat(e.code()).isEqualTo(RejectionCode.SIGNATURE_HOOK_MISMATCH);
  }

  @Test
  void verify_boundSecret_itsOwnHook_verifies() throws Exception {
    SignatureVerifier verifier =
        new SignatureVerifier(bound(HOOKS_A_AND_B), Clock.fixed(NOW, ZoneOffset.UTC));

    verifier.verify(
        "sha256=" + HexFormat.of().formatHex(mac("hunter2-hook-a", BODY)), BODY, "1001");
    verifier.verify(
        "sha256=" + HexFormat.of().formatHex(mac("hunter2-hook-b", BODY)), BODY, "2002");
  }

  @Test
  void verify_unboundSecret_anyHookOrNone_verifies() throws Exception {
    SignatureVerifier verifier =
        new SignatureVerifier(
            WebhookSecrets.parse("hunter2-any@2027-01-01T00:00:00Z"),
            Clock.fixed(NOW, ZoneOffset.UTC));
    String header = "sha256=" + HexFormat.of().formatHex(mac("hunter2-any", BODY));

    verifier.verify(header, BODY, "1001");
    verifier.verify(header, BODY, null);
  }

  @Test
  void match_boundSecretOfOtherHookAndUnboundSecret_unboundStillVerifies() throws Exception {
    WebhookSecrets secrets =
        bound(
            Map.of(
                "tollgate.github.webhook-secrets[0].value", "hunter2-hook-a",
                "tollgate.github.webhook-secrets[0].hook-id", "1001",
                "tollgate.github.webhook-secrets[1].value", "hunter2-any"));

    assertThat(secrets.match(BODY, mac("hunter2-any", BODY), NOW, "2002"))
        .isEqualTo(WebhookSecrets.Match.ACTIVE);
    assertThat(secrets.match(BODY, mac("hunter2-hook-a", BODY), NOW, "2002"))
        .isEqualTo(WebhookSecrets.Match.OTHER_HOOK);
    assertThat(secrets.match(BODY, mac("guessed", BODY), NOW, "2002"))
        .isEqualTo(WebhookSecrets.Match.NONE);
    assertThat(secrets.unboundCount()).isEqualTo(1);
  }

  @Test
  void indexed_malformedHookId_failsNamingTheIndexNotTheValue() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                SignatureVerifiers.indexed(
                    config(
                        Map.of(
                            "tollgate.github.webhook-secrets[0].value", "hunter2",
                            "tollgate.github.webhook-secrets[0].hook-id", "hook-a"))));

    assertThat(e.getMessage())
        .contains("tollgate.github.webhook-secrets[0].hook-id")
        .doesNotContain("hunter2");
  }

  @Test
  void requireBinding_unboundSecret_failsAtStartupNamingNoSecret() {
    WebhookSecrets secrets =
        bound(
            Map.of(
                "tollgate.github.webhook-secrets[0].value", "hunter2-hook-a",
                "tollgate.github.webhook-secrets[0].hook-id", "1001",
                "tollgate.github.webhook-secrets[1].value", "hunter2-any"));

    assertThatThrownBy(() -> SignatureVerifiers.requireBinding(secrets, true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tollgate.github.require-hook-binding=true, but 1 of 2")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(
            () -> SignatureVerifiers.requireBinding(WebhookSecrets.parse("hunter2"), true))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void requireBinding_everySecretBoundOrNotRequired_starts() {
    SignatureVerifiers.requireBinding(bound(HOOKS_A_AND_B), true);
    SignatureVerifiers.requireBinding(WebhookSecrets.parse("hunter2"), false);
  }
}
