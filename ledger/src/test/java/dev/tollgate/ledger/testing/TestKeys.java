package dev.tollgate.ledger.testing;

import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.signing.SigningKeyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Fresh Ed25519 keys written the way openssl writes them: PKCS#8 {@code PRIVATE KEY} and X.509
 * {@code PUBLIC KEY} PEM files. The JDK's encodings of an Ed25519 key are the same DER openssl
 * produces (RFC 8410).
 */
public final class TestKeys {

  /** A written key pair. */
  public record KeyFiles(Path privateKey, Path publicKey) {
    /** A signer for the private key. */
    public LedgerSigner signer() {
      try {
        return LedgerSigner.fromKeyFile(privateKey);
      } catch (SigningKeyException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestKeys() {}

  /** Generates a key pair into {@code dir}. */
  public static KeyFiles generate(Path dir) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Path privateKey = dir.resolve("ledger-key.pem");
      Path publicKey = dir.resolve("ledger-key.pub.pem");
      Files.writeString(
          privateKey,
          pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
          StandardCharsets.US_ASCII);
      Files.writeString(
          publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
      return new KeyFiles(privateKey, publicKey);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Generates a key pair into a new temporary directory. */
  public static KeyFiles generate() {
    try {
      return generate(Files.createTempDirectory("tollgate-ledger-key-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PEM block. */
  public static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
