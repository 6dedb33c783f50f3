package dev.tollgate.schemas.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

/**
 * A component's Ed25519 event-signing key, read from the PKCS#8 PEM that {@code openssl genpkey
 * -algorithm ED25519} writes. The private seed never leaves this object: no accessor returns it,
 * and {@link #toString()} names only the key id.
 */
public final class EventSigningKey {

  private final Ed25519Signer signer;
  private final EventPublicKey publicKey;

  private EventSigningKey(byte[] seed) throws EventKeyException {
    this.signer = Ed25519Signer.fromSeed(seed);
    this.publicKey = EventPublicKey.fromRaw(signer.publicKey());
  }

  /** The key in a PKCS#8 {@code PRIVATE KEY} PEM block. */
  public static EventSigningKey fromPem(String pem) throws EventKeyException {
    byte[] der = Pem.decode(pem, "PRIVATE KEY");
    try {
      EdECPrivateKey key =
          (EdECPrivateKey)
              KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      byte[] seed =
          key.getBytes().orElseThrow(() -> new EventKeyException("the Ed25519 key has no seed"));
      try {
        if (seed.length != Ed25519Engine.SEED_BYTES) {
          throw new EventKeyException("an Ed25519 private key is a 32-byte seed");
        }
        return new EventSigningKey(seed);
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new EventKeyException("not an Ed25519 private key in PKCS#8 PEM");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** Reads a PEM file (mounted from a Secret). */
  public static EventSigningKey read(Path pemFile) throws EventKeyException {
    try {
      return fromPem(Files.readString(pemFile, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new EventKeyException(
          "cannot read signing key " + pemFile + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** The public half. */
  public EventPublicKey publicKey() {
    return publicKey;
  }

  /** The key id events carry: lowercase hex SHA-256 of the public key. */
  public String keyId() {
    return publicKey.keyId();
  }

  /**
   * A 64-byte Ed25519 signature over {@code message} (RFC 8032, deterministic), through {@link
   * Ed25519Engine#current()}.
   */
  public byte[] sign(byte[] message) {
    return signer.sign(message);
  }

  @Override
  public String toString() {
    return "EventSigningKey[" + keyId() + "]";
  }
}
