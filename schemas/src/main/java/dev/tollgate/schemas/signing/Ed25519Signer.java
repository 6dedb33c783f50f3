package dev.tollgate.schemas.signing;

/**
 * Signs with one Ed25519 private key (RFC 8032, deterministic) through {@link
 * Ed25519Engine#current()}. The key never leaves the object; {@code toString()} names only the
 * engine.
 */
public interface Ed25519Signer {

  /** A signer for a 32-byte RFC 8032 private key (seed); the caller may zero its array after. */
  static Ed25519Signer fromSeed(byte[] seed) {
    if (seed == null || seed.length != Ed25519Engine.SEED_BYTES) {
      throw new IllegalArgumentException("an Ed25519 private key is a 32-byte seed");
    }
    return Ed25519Engine.current().signer(seed);
  }

  /** The 32-byte public key. */
  byte[] publicKey();

  /** The 64-byte signature over {@code message}. */
  byte[] sign(byte[] message);
}
