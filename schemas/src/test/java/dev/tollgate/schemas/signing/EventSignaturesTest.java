package dev.tollgate.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/** Signing and verifying events: what verifies, and every way an event fails to. */
class EventSignaturesTest {

  // RFC 8032, section 7.1, TEST 1: secret key, public key and the signature of the empty message.
  private static final String RFC8032_SEED =
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  private static final String RFC8032_PUBLIC =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String RFC8032_SIGNATURE =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  private static final byte[] DATA =
      "{\"id\":\"t-1\",\"repository\":\"octo-org/hello-world\"}".getBytes(StandardCharsets.UTF_8);

  static EventSigningKey rfc8032Key() throws EventKeyException {
    return EventSigningKey.fromPem(pkcs8Pem(HexFormat.of().parseHex(RFC8032_SEED)));
  }

  static EventSigningKey freshKey() throws Exception {
    byte[] seed = new byte[32];
    new java.security.SecureRandom().nextBytes(seed);
    return EventSigningKey.fromPem(pkcs8Pem(seed));
  }

  /** A PKCS#8 PEM of an Ed25519 seed, as openssl genpkey writes it (RFC 8410). */
  static String pkcs8Pem(byte[] seed) {
    byte[] prefix = HexFormat.of().parseHex("302e020100300506032b657004220420");
    byte[] der = new byte[prefix.length + 32];
    System.arraycopy(prefix, 0, der, 0, prefix.length);
    System.arraycopy(seed, 0, der, prefix.length, 32);
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getEncoder().encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  static Headers headers(String id) {
    return KafkaCloudEvents.headers(
        CloudEventAttributes.of(
            EventType.TRIGGER,
            id,
            URI.create("https://github.com/octo-org/hello-world"),
            "octo-org/hello-world",
            Instant.parse("2026-12-07T06:00:00Z")));
  }

  @Test
  void sign_rfc8032Vector_publicKeyAndSignatureMatch() throws Exception {
    EventSigningKey key = rfc8032Key();

    assertThat(HexFormat.of().formatHex(key.publicKey().raw())).isEqualTo(RFC8032_PUBLIC);
    assertThat(HexFormat.of().formatHex(key.sign(new byte[0]))).isEqualTo(RFC8032_SIGNATURE);
    assertThat(key.publicKey().verifies(new byte[0], HexFormat.of().parseHex(RFC8032_SIGNATURE)))
        .isTrue();
  }

  @Test
  void verify_signedEvent_verifiedWithTheSignersKeyId() throws Exception {
    EventSigningKey key = freshKey();
    Headers headers = headers("t-1");
    EventSignatures.sign(headers, DATA, key);

    assertThat(EventSignatures.verify(headers, DATA, ring(key)))
        .isEqualTo(new EventSignatures.Verified(key.keyId()));
  }

  @Test
  void verify_dataAltered_invalid() throws Exception {
    EventSigningKey key = freshKey();
    Headers headers = headers("t-1");
    EventSignatures.sign(headers, DATA, key);
    byte[] altered =
        new String(DATA, StandardCharsets.UTF_8)
            .replace("hello-world", "hello-w0rld")
            .getBytes(StandardCharsets.UTF_8);

    assertThat(EventSignatures.verify(headers, altered, ring(key)))
        .isInstanceOf(EventSignatures.Invalid.class);
  }

  @Test
  void verify_idChangedAfterSigning_invalid() throws Exception {
    EventSigningKey key = freshKey();
    Headers headers = headers("t-1");
    EventSignatures.sign(headers, DATA, key);
    headers.remove(KafkaCloudEvents.ID);
    headers.add(KafkaCloudEvents.ID, "t-2".getBytes(StandardCharsets.UTF_8));

    assertThat(EventSignatures.verify(headers, DATA, ring(key)))
        .isInstanceOf(EventSignatures.Invalid.class);
  }

  @Test
  void verify_secondIdHeaderAdded_invalidNamingTheDuplicate() throws Exception {
    EventSigningKey key = freshKey();
    Headers headers = headers("t-1");
    EventSignatures.sign(headers, DATA, key);
    headers.add(KafkaCloudEvents.ID, "t-2".getBytes(StandardCharsets.UTF_8));

    EventSignatures.Verification result = EventSignatures.verify(headers, DATA, ring(key));

    assertThat(result).isInstanceOf(EventSignatures.Invalid.class);
    assertThat(((EventSignatures.Invalid) result).why()).contains("ce_id more than once");
  }

  @Test
  void verify_noSignatureHeaders_unsigned() throws Exception {
    assertThat(EventSignatures.verify(headers("t-1"), DATA, ring(freshKey())))
        .isEqualTo(new EventSignatures.Unsigned());
  }

  @Test
  void verify_signedByAKeyOfAnotherComponent_unknownKey() throws Exception {
    EventSigningKey verifier = freshKey();
    Headers headers = headers("t-1");
    EventSignatures.sign(headers, DATA, verifier);

    assertThat(EventSignatures.verify(headers, DATA, ring(freshKey())))
        .isEqualTo(new EventSignatures.UnknownKey(verifier.keyId()));
  }

  @Test
  void verify_rotation_oldAndNewKeysBothVerify() throws Exception {
    EventSigningKey old = freshKey();
    EventSigningKey next = freshKey();
    EventKeyRing both = EventKeyRing.of("gateway", List.of(old.publicKey(), next.publicKey()));
    Headers first = headers("t-1");
    EventSignatures.sign(first, DATA, old);
    Headers second = headers("t-2");
    EventSignatures.sign(second, DATA, next);

    assertThat(EventSignatures.verify(first, DATA, both).verified()).isTrue();
    assertThat(EventSignatures.verify(second, DATA, both).verified()).isTrue();
  }

  @Test
  void verify_signatureNotCanonicalBase64_invalid() throws Exception {
    EventSigningKey key = freshKey();
    Headers headers = headers("t-1");
    EventSignatures.sign(headers, DATA, key);
    String signature =
        new String(
            headers.lastHeader(EventSignatures.SIGNATURE).value(), StandardCharsets.US_ASCII);
    headers.remove(EventSignatures.SIGNATURE);
    // An Ed25519 signature is 64 bytes: its base64 ends in "==", whose last character before the
    // padding carries 4 unused bits; setting one gives another spelling of the same bytes.
    char last = signature.charAt(signature.length() - 3);
    String other = signature.substring(0, signature.length() - 3) + (char) (last + 1) + "==";
    headers.add(EventSignatures.SIGNATURE, other.getBytes(StandardCharsets.US_ASCII));

    assertThat(EventSignatures.verify(headers, DATA, ring(key)))
        .isInstanceOf(EventSignatures.Invalid.class);
  }

  @Test
  void fromPem_notAKey_errorWithoutKeyMaterial() {
    assertThatThrownBy(
            () ->
                EventSigningKey.fromPem(
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
        .isInstanceOf(EventKeyException.class)
        .hasMessageNotContaining("AAAA");
  }

  @Test
  void toString_signingKey_namesOnlyTheKeyId() throws Exception {
    EventSigningKey key = rfc8032Key();

    assertThat(key.toString())
        .isEqualTo("EventSigningKey[" + key.keyId() + "]")
        .doesNotContain(RFC8032_SEED);
  }

  private static EventKeyRing ring(EventSigningKey key) {
    return EventKeyRing.of("gateway", List.of(key.publicKey()));
  }
}
