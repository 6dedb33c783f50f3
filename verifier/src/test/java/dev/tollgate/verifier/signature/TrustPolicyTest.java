package dev.tollgate.verifier.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The trust judgement, in the one place it is made: keys, validity and threshold. */
class TrustPolicyTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final byte[] MESSAGE = "the signed bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void keysFor_oneSignatureOfEachKey_bothKeysInPolicyOrder() throws Exception {
    KeyPair a = ecKeyPair();
    KeyPair b = ecKeyPair();
    TrustPolicy policy = twoOf(a, b);

    List<TrustedKey> keys = policy.keysFor(MESSAGE, List.of(sign(b), sign(a)));

    assertThat(keys).extracting(TrustedKey::name).containsExactly("a", "b");
  }

  @Test
  void keysFor_twoSignaturesOfOneKey_thatKeyOnce() throws Exception {
    KeyPair a = ecKeyPair();
    TrustPolicy policy = twoOf(a, ecKeyPair());

    List<TrustedKey> keys = policy.keysFor(MESSAGE, List.of(sign(a), sign(a)));

    assertThat(keys).extracting(TrustedKey::name).containsExactly("a");
  }

  @Test
  void keyFor_signatureByUnlistedKey_empty() throws Exception {
    TrustPolicy policy = twoOf(ecKeyPair(), ecKeyPair());

    assertThat(policy.keyFor(MESSAGE, sign(ecKeyPair()))).isEmpty();
  }

  @Test
  void judgeKey_validNow_passedWithKeyEvidence() throws Exception {
    TrustedKey key = new TrustedKey("ci", ecKeyPair().getPublic(), Validity.always());

    SignatureCheck check =
        TrustPolicy.anyOf(List.of(key)).judgeKey(key, NOW, Map.of("digest", "sha256:00"), "test");

    assertThat(check).isInstanceOf(SignatureCheck.Passed.class);
    assertThat(check.signer()).contains("ci");
    assertThat(check.evidence())
        .containsEntry("key", "ci")
        .containsEntry("keyFingerprint", key.fingerprint());
  }

  @Test
  void judgeKey_expiredKey_keyExpiredNamingTheSigner() throws Exception {
    TrustedKey key =
        new TrustedKey("old", ecKeyPair().getPublic(), Validity.between(null, NOW.minusSeconds(1)));

    SignatureCheck check = TrustPolicy.anyOf(List.of(key)).judgeKey(key, NOW, Map.of(), "test");

    assertThat(check.passed()).isFalse();
    assertThat(check.reason()).isEqualTo(SignatureReason.KEY_EXPIRED);
    assertThat(check.signer()).contains("old");
    assertThat(check.evidence()).containsEntry("checkedAt", NOW.toString());
  }

  @Test
  void thresholdMet_twoOfTwo_onlyWithBothSigners() throws Exception {
    TrustPolicy policy = twoOf(ecKeyPair(), ecKeyPair());

    assertThat(policy.thresholdMet(Set.of("a"))).isFalse();
    assertThat(policy.thresholdMet(Set.of("a", "b"))).isTrue();
    assertThat(policy.shortfall(Set.of("a"), "sha256:00"))
        .isEqualTo("1 of the required 2 trusted signers signed sha256:00");
  }

  @Test
  void create_thresholdAboveSigners_rejected() throws Exception {
    TrustedKey key = new TrustedKey("a", ecKeyPair().getPublic(), Validity.always());

    assertThatThrownBy(() -> new TrustPolicy(List.of(key), List.of(), 2, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void failed_withVerifiedReason_rejected() {
    assertThatThrownBy(
            () -> SignatureCheck.failed(SignatureReason.VERIFIED, "a", "not a failure", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TrustPolicy twoOf(KeyPair a, KeyPair b) {
    return new TrustPolicy(
        List.of(
            new TrustedKey("a", a.getPublic(), Validity.always()),
            new TrustedKey("b", b.getPublic(), Validity.always())),
        List.of(),
        2,
        Optional.empty());
  }

  private static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static byte[] sign(KeyPair key) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key.getPrivate());
    s.update(MESSAGE);
    return s.sign();
  }
}
