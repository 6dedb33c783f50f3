package dev.tollgate.ledger.signing;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.signing.SigningKeyException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
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
  private static final byte[] SELF_TEST =
      "tollgate ledger key self-test".getBytes(StandardCharsets.UTF_8);

  private final PrivateKey privateKey;
  private final LedgerPublicKey publicKey;

  private SigningKey(PrivateKey privateKey, LedgerPublicKey publicKey) {
    this.privateKey = privateKey;
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
    SigningKey key = new SigningKey(privateKey, derivePublic(file, (EdECPrivateKey) privateKey));
    if (!key.publicKey.verifies(SELF_TEST, key.sign(SELF_TEST))) {
      throw new SigningKeyException(
          file, Reason.SELF_TEST_FAILED, "its signature does not verify with its public key");
    }
    return key;
  }

  LedgerPublicKey publicKey() {
    return publicKey;
  }

  byte[] sign(byte[] message) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(message);
      return signer.sign();
    } catch (NoSuchAlgorithmException | InvalidKeyException | SignatureException e) {
      // The key was checked when loaded; a failure here is a broken JDK, not bad input.
      throw new IllegalStateException("Ed25519 signing failed with key " + publicKey.keyId(), e);
    }
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

  /**
   * JDK 17 has no API that derives an Ed25519 public key from a private one, but its key pair
   * generator derives the pair from the 32 random bytes it draws (RFC 8032 section 5.1.5). Feeding
   * it the private key's seed yields exactly that key's public half; the self-test in {@link #load}
   * catches any JDK that draws differently.
   */
  private static LedgerPublicKey derivePublic(Path file, EdECPrivateKey privateKey)
      throws SigningKeyException {
    byte[] seed =
        privateKey
            .getBytes()
            .orElseThrow(
                () ->
                    new SigningKeyException(
                        file, Reason.NOT_ED25519, "the key's bytes are not available"));
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      PublicKey publicKey = generator.generateKeyPair().getPublic();
      return LedgerPublicKey.of(publicKey);
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("every JDK since 15 provides Ed25519", e);
    } catch (PublicKeyFormatException e) {
      throw new IllegalStateException("the JDK wrote an Ed25519 key we cannot read", e);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** Hands out the seed it was given, once, and nothing else. */
  private static final class SeedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    SeedRandom(byte[] seed) {
      this.seed = seed;
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("expected a request for a 32-byte Ed25519 seed");
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
    }
  }
}
