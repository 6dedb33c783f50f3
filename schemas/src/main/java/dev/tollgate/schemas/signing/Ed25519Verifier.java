package dev.tollgate.schemas.signing;

import java.util.Optional;

/**
 * Verifies Ed25519 signatures under one public key by the rules of {@link Ed25519Engine}, which
 * this key passed when it was read.
 */
public final class Ed25519Verifier {

  private final Ed25519Engine engine;
  private final byte[] publicKey;

  private Ed25519Verifier(Ed25519Engine engine, byte[] publicKey) {
    this.engine = engine;
    this.publicKey = publicKey;
  }

  /** The verifier for a 32-byte public key, or empty if the key breaks the key rule. */
  public static Optional<Ed25519Verifier> forKey(byte[] publicKey) {
    return forKey(Ed25519Engine.current(), publicKey);
  }

  static Optional<Ed25519Verifier> forKey(Ed25519Engine engine, byte[] publicKey) {
    return Ed25519Engine.isAcceptedPublicKey(publicKey)
        ? Optional.of(new Ed25519Verifier(engine, publicKey.clone()))
        : Optional.empty();
  }

  /** Whether {@code signature} is this key's signature over {@code message}. */
  public boolean verifies(byte[] message, byte[] signature) {
    return message != null
        && signature != null
        && signature.length == Ed25519Engine.SIGNATURE_BYTES
        && engine.verify(publicKey, message, signature);
  }

  @Override
  public String toString() {
    return "Ed25519Verifier[" + engine.name() + "]";
  }
}
