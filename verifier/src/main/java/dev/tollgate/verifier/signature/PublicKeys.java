package dev.tollgate.verifier.signature;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads public keys from PEM ({@code -----BEGIN PUBLIC KEY-----}, SubjectPublicKeyInfo, as cosign
 * writes {@code cosign.pub}): ECDSA on P-256, P-384 or P-521, RSA of at least 2048 bits, Ed25519.
 */
public final class PublicKeys {
  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";

  private PublicKeys() {}

  /** Parses one PEM public key; {@code name} is used in errors only. */
  public static PublicKey fromPem(String name, String pem) throws TrustException {
    if (pem == null) {
      throw invalid(name, "no PEM given");
    }
    int begin = pem.indexOf(BEGIN);
    int end = pem.indexOf(END);
    if (begin < 0 || end < begin) {
      throw invalid(name, "not a PEM 'PUBLIC KEY' block (SubjectPublicKeyInfo)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw invalid(name, "PEM body is not base64");
    }
    return fromSpki(name, der);
  }

  /** Parses DER SubjectPublicKeyInfo. */
  public static PublicKey fromSpki(String name, byte[] der) throws TrustException {
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      PublicKey key;
      try {
        key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (InvalidKeySpecException wrongAlgorithm) {
        continue;
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(algorithm + " is required of every JDK 17", e);
      }
      if (key instanceof ECPublicKey) {
        int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
        if (bits != 256 && bits != 384 && bits != 521) {
          throw invalid(name, "EC key on an unsupported curve (" + bits + " bits)");
        }
      }
      if (key instanceof RSAPublicKey && ((RSAPublicKey) key).getModulus().bitLength() < 2048) {
        throw invalid(name, "RSA key shorter than 2048 bits");
      }
      return key;
    }
    throw invalid(name, "not an EC, RSA or Ed25519 public key");
  }

  /** SHA-256 of the DER SubjectPublicKeyInfo, hex: a stable key id for evidence. */
  public static String fingerprint(PublicKey key) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** The PEM text of a key, as {@code openssl} and cosign write it. */
  public static String toPem(PublicKey key) {
    return BEGIN
        + "\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n"
        + END
        + "\n";
  }

  private static TrustException invalid(String name, String why) {
    return new TrustException(TrustException.Reason.KEY_INVALID, name, why, null);
  }
}
