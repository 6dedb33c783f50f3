package dev.tollgate.ledger.testing;

import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.signing.SigningKeyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Fresh Ed25519 keys written the way openssl writes them: PKCS#8 {@code PRIVATE KEY} and X.509
 * {@code PUBLIC KEY} PEM files. The JDK's encodings of an Ed25519 key are the same DER openssl
 * produces (RFC 8410).
 *
 * <p>Private keys are written owner-only ({@code rw-------}) where the filesystem allows, and only
 * into a directory the caller owns and deletes (a JUnit {@code @TempDir}); a test that needs only a
 * signer gets one from {@link #signer()}, whose key file is gone before it returns.
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

  /** Generates a key pair into {@code dir}, which the caller deletes (a JUnit {@code @TempDir}). */
  public static KeyFiles generate(Path dir) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Path privateKey = dir.resolve("ledger-key.pem");
      Path publicKey = dir.resolve("ledger-key.pub.pem");
      Files.deleteIfExists(privateKey);
      Files.createFile(privateKey, ownerOnly());
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

  /**
   * A signer for a fresh key. The signer loads its key from a file, as in production; that file
   * lives in a temporary directory deleted before this returns.
   */
  public static LedgerSigner signer() {
    try (TemporaryDirectory dir = TemporaryDirectory.create("tollgate-ledger-key-")) {
      return generate(dir.path()).signer();
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
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
