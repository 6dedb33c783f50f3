package dev.tollgate.ledger.signing;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.signing.SigningKeyException.Reason;
import dev.tollgate.schemas.signing.Ed25519Engine;
import dev.tollgate.schemas.signing.Ed25519Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The ledger's Ed25519 private key with its public half. The only holder of the private key; it
 * never leaves this object, and {@link #toString()} names the key id only.
 */
final class SigningKey {

  private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PEM_END = "-----END PRIVATE KEY-----";
  private static final int SEED_BYTES = 32;
  private static final byte[] SELF_TEST =
      "tollgate ledger key self-test".getBytes(StandardCharsets.UTF_8);

  /** Holds the private key (RFC 8032 seed); it never leaves the signer. */
  private final Ed25519Signer signer;

  private final LedgerPublicKey publicKey;

  private SigningKey(Ed25519Signer signer, LedgerPublicKey publicKey) {
    this.signer = signer;
    this.publicKey = publicKey;
  }

  /**
   * Loads an unencrypted PKCS#8 PEM Ed25519 key, as {@code openssl genpkey -algorithm ED25519}
   * writes it, derives its public key and checks that the two belong together.
   */
  static SigningKey load(Path file) throws SigningKeyException {
    byte[] der = pkcs8(file);
    PrivateKey privateKey;
    try {
      privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      throw new SigningKeyException(file, Reason.NOT_ED25519, "not an Ed25519 PKCS#8 key");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK since 15 provides Ed25519", e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
    if (!(privateKey instanceof EdECPrivateKey)
        || !"Ed25519".equalsIgnoreCase(((EdECPrivateKey) privateKey).getParams().getName())) {
      throw new SigningKeyException(file, Reason.NOT_ED25519, "not an Ed25519 key");
    }
    byte[] seed =
        ((EdECPrivateKey) privateKey)
            .getBytes()
            .orElseThrow(
                () ->
                    new SigningKeyException(
                        file, Reason.NOT_ED25519, "the key's bytes are not available"));
    Ed25519Signer signer;
    try {
      if (seed.length != SEED_BYTES) {
        throw new SigningKeyException(file, Reason.NOT_ED25519, "not a 32-byte Ed25519 key");
      }
      signer = Ed25519Signer.fromSeed(seed);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    LedgerPublicKey publicKey;
    try {
      publicKey = LedgerPublicKey.fromRaw(signer.publicKey());
    } catch (PublicKeyFormatException e) {
      throw new IllegalStateException("RFC 8032 derived a public key we cannot read", e);
    }
    SigningKey key = new SigningKey(signer, publicKey);
    if (!key.publicKey.verifies(SELF_TEST, key.sign(SELF_TEST))) {
      throw new SigningKeyException(
          file, Reason.SELF_TEST_FAILED, "its signature does not verify with its public key");
    }
    return key;
  }

  LedgerPublicKey publicKey() {
    return publicKey;
  }

  /**
   * Ed25519 (RFC 8032, deterministic) through {@link Ed25519Engine#current()}: libsodium where
   * installed, BouncyCastle otherwise, both many times the JDK provider's rate (ledger/bench/run
   * Ed25519Benchmark).
   */
  byte[] sign(byte[] message) {
    return signer.sign(message);
  }

  @Override
  public String toString() {
    return "SigningKey[keyId=" + publicKey.keyId() + "]";
  }

  private static byte[] pkcs8(Path file) throws SigningKeyException {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new SigningKeyException(
          file, Reason.UNREADABLE, "cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    int begin = pem.indexOf(PEM_BEGIN);
    int end = pem.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new SigningKeyException(
          file, Reason.NOT_PKCS8_PEM, "holds no unencrypted PEM 'PRIVATE KEY' block");
    }
    try {
      return Base64.getDecoder()
          .decode(pem.substring(begin + PEM_BEGIN.length(), end).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new SigningKeyException(file, Reason.NOT_PKCS8_PEM, "PEM body is not base64");
    }
  }
}
