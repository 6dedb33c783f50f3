package dev.tollgate.schemas.signing;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * BouncyCastle's RFC 8032 code, with the two checks that bring its verdicts to the rules of {@link
 * Ed25519Engine}: no small-order R encoding, and R in the prime-order subgroup.
 */
final class BouncyCastleEd25519 extends Ed25519Engine {

  static final BouncyCastleEd25519 INSTANCE = new BouncyCastleEd25519();

  private BouncyCastleEd25519() {}

  @Override
  public String name() {
    return "BouncyCastle";
  }

  @Override
  Ed25519Signer signer(byte[] seed) {
    byte[] publicKey = new byte[PUBLIC_KEY_BYTES];
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    return new Signer(seed.clone(), publicKey);
  }

  @Override
  boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    // BouncyCastle checks S < L and R's canonical y; its equation, multiplied by a small scalar,
    // can hold for an R with a small-order component, which the cofactorless rule refuses: hence
    // the order check of R, made only on signatures BouncyCastle accepts.
    return !hasSmallOrderEncoding(signature, 0)
        && Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length)
        && Ed25519.validatePublicKeyFull(signature, 0);
  }

  private static final class Signer implements Ed25519Signer {
    private final byte[] seed;
    private final byte[] publicKey;

    Signer(byte[] seed, byte[] publicKey) {
      this.seed = seed;
      this.publicKey = publicKey;
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public byte[] sign(byte[] message) {
      byte[] signature = new byte[SIGNATURE_BYTES];
      Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
      return signature;
    }

    @Override
    public String toString() {
      return "Ed25519Signer[BouncyCastle]";
    }
  }
}
