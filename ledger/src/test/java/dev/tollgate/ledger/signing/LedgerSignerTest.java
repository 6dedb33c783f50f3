package dev.tollgate.ledger.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the ledger's key the way openssl writes it, and refusing every other file. */
class LedgerSignerTest {

  /** PKCS#8 (RFC 8410) wrapping of a 32-byte Ed25519 private key, as openssl genpkey writes it. */
  private static final String PKCS8_PREFIX = "302e020100300506032b657004220420";

  // RFC 8032 section 7.1, TEST 1: secret key, public key, and the signature of the empty message.
  private static final String RFC8032_SECRET =
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  private static final String RFC8032_PUBLIC =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String RFC8032_SIGNATURE =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  @TempDir Path dir;

  @Test
  void fromKeyFile_rfc8032Vector_derivesItsPublicKeyAndSignsAsSpecified() throws Exception {
    Path file = dir.resolve("rfc8032.pem");
    Files.writeString(
        file,
        TestKeys.pem("PRIVATE KEY", HexFormat.of().parseHex(PKCS8_PREFIX + RFC8032_SECRET)),
        StandardCharsets.US_ASCII);

    LedgerSigner signer = LedgerSigner.fromKeyFile(file);

    assertThat(signer.publicKey().keyId())
        .isEqualTo(Sha256.hex(HexFormat.of().parseHex(RFC8032_PUBLIC)));
    assertThat(HexFormat.of().formatHex(signer.sign(new byte[0]))).isEqualTo(RFC8032_SIGNATURE);
  }

  @Test
  void fromKeyFile_generatedKey_publicKeyMatchesThePublicPem() throws Exception {
    TestKeys.KeyFiles keys = TestKeys.generate(dir);

    LedgerSigner signer = LedgerSigner.fromKeyFile(keys.privateKey());

    byte[] message = "record".getBytes(StandardCharsets.UTF_8);
    assertThat(signer.publicKey().toPem())
        .isEqualTo(Files.readString(keys.publicKey(), StandardCharsets.US_ASCII));
    assertThat(signer.publicKey().verifies(message, signer.sign(message))).isTrue();
  }

  @Test
  void fromKeyFile_missingFile_failsUnreadable() {
    assertThatThrownBy(() -> LedgerSigner.fromKeyFile(dir.resolve("absent.pem")))
        .isInstanceOfSatisfying(
            SigningKeyException.class,
            e -> assertThat(e.reason()).isEqualTo(SigningKeyException.Reason.UNREADABLE));
  }

  @Test
  void fromKeyFile_publicKeyInsteadOfPrivate_failsNotPkcs8Pem() {
    TestKeys.KeyFiles keys = TestKeys.generate(dir);

    assertThatThrownBy(() -> LedgerSigner.fromKeyFile(keys.publicKey()))
        .isInstanceOfSatisfying(
            SigningKeyException.class,
            e -> assertThat(e.reason()).isEqualTo(SigningKeyException.Reason.NOT_PKCS8_PEM));
  }

  @Test
  void fromKeyFile_ecP256Key_failsNotEd25519() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    Path file = dir.resolve("ec.pem");
    Files.writeString(
        file,
        TestKeys.pem("PRIVATE KEY", ec.generateKeyPair().getPrivate().getEncoded()),
        StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> LedgerSigner.fromKeyFile(file))
        .isInstanceOfSatisfying(
            SigningKeyException.class,
            e -> assertThat(e.reason()).isEqualTo(SigningKeyException.Reason.NOT_ED25519));
  }

  @Test
  void fromKeyFile_corruptedBase64_failsWithoutQuotingTheFile() throws Exception {
    Path file = dir.resolve("corrupt.pem");
    String secretLooking = "c2VjcmV0LWtleS1tYXRlcmlhbA*";
    Files.writeString(
        file,
        "-----BEGIN PRIVATE KEY-----\n" + secretLooking + "\n-----END PRIVATE KEY-----\n",
        StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> LedgerSigner.fromKeyFile(file))
        .isInstanceOf(SigningKeyException.class)
        .hasMessageNotContaining(secretLooking)
        .hasMessageContaining("openssl genpkey");
  }

  @Test
  void toString_loadedKey_revealsTheKeyIdOnly() throws Exception {
    TestKeys.KeyFiles keys = TestKeys.generate(dir);
    String pemBody =
        Files.readString(keys.privateKey(), StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(pemBody);
    String seedHex = HexFormat.of().formatHex(der, der.length - 32, der.length);

    LedgerSigner signer = LedgerSigner.fromKeyFile(keys.privateKey());
    SigningKey key = SigningKey.load(keys.privateKey());

    for (String shown : new String[] {signer.toString(), key.toString()}) {
      assertThat(shown)
          .contains(signer.publicKey().keyId())
          .doesNotContain(pemBody)
          .doesNotContain(pemBody.substring(pemBody.length() - 44))
          .doesNotContainIgnoringCase(seedHex);
    }
  }
}
