package dev.tollgate.ledger.bench;

import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.subtle.Ed25519Verify;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.schemas.signing.Ed25519Engine;
import dev.tollgate.schemas.signing.Ed25519Signer;
import dev.tollgate.schemas.signing.Ed25519Verifier;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Which Ed25519 to sign and verify with, by measurement (issue: "choose the Ed25519 implementation
 * by measurement"): the JDK's SunEC provider, BouncyCastle's RFC 8032 code, Tink's, and {@code
 * tollgate*}: what {@code dev.tollgate.schemas.signing.Ed25519Engine} runs in this JVM (libsodium
 * through JNA where installed, printed at setup; BouncyCastle with its two extra checks otherwise,
 * whose verify cost is {@code bcVerifyStrict}), on one thread, over messages the size of a ledger
 * record's signed bytes for a 4 KB push trigger. Run with {@code ledger/bench/run
 * Ed25519Benchmark}; never run by the tests. All sign the same key and message, and setup checks
 * that their signatures are identical (RFC 8032 signing is deterministic), so the figures compare
 * the same work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@SuppressForbidden("a command-line benchmark prints the engine it measures")
public class Ed25519Benchmark {

  /** The signed bytes of a ledger record holding a 4 KB push trigger are about 5 KB. */
  private static final int MESSAGE_BYTES = 5000;

  private byte[] message;
  private byte[] seed;
  private byte[] publicRaw;
  private byte[] signature;
  private PrivateKey jdkPrivate;
  private PublicKey jdkPublic;
  private Ed25519Sign tinkSigner;
  private Ed25519Verify tinkVerifier;
  private Ed25519Signer tollgateSigner;
  private Ed25519Verifier tollgateVerifier;

  @Setup
  public void setup() throws GeneralSecurityException {
    message = new byte[MESSAGE_BYTES];
    ThreadLocalRandom.current().nextBytes(message);
    seed = new byte[32];
    ThreadLocalRandom.current().nextBytes(seed);
    publicRaw = new byte[32];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicRaw, 0);
    KeyFactory factory = KeyFactory.getInstance("Ed25519");
    jdkPrivate = factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    jdkPublic =
        factory.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point(publicRaw)));
    tinkSigner = new Ed25519Sign(seed);
    tinkVerifier = new Ed25519Verify(publicRaw);
    tollgateSigner = Ed25519Signer.fromSeed(seed);
    tollgateVerifier =
        Ed25519Verifier.forKey(publicRaw).orElseThrow(() -> new IllegalStateException("key"));
    System.out.println("Ed25519 engine (tollgate*): " + Ed25519Engine.description());
    signature = bcSign();
    if (!java.util.Arrays.equals(signature, jdkSign())
        || !java.util.Arrays.equals(signature, tinkSign())
        || !java.util.Arrays.equals(signature, tollgateSign())) {
      throw new IllegalStateException("the implementations disagree on one signature");
    }
    if (!tollgateVerify() || !bcVerifyStrict()) {
      throw new IllegalStateException("the engine refuses the signature");
    }
  }

  /** An Edwards point from its RFC 8032 encoding: y little-endian, the top bit x's parity. */
  private static EdECPoint point(byte[] encoded) {
    byte[] y = new byte[32];
    for (int i = 0; i < 32; i++) {
      y[i] = encoded[31 - i];
    }
    boolean xOdd = (y[0] & 0x80) != 0;
    y[0] &= 0x7f;
    return new EdECPoint(xOdd, new BigInteger(1, y));
  }

  @Benchmark
  public byte[] jdkSign() throws GeneralSecurityException {
    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initSign(jdkPrivate);
    jdk.update(message);
    return jdk.sign();
  }

  @Benchmark
  public byte[] bcSign() {
    byte[] out = new byte[64];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(
        seed, 0, publicRaw, 0, message, 0, message.length, out, 0);
    return out;
  }

  @Benchmark
  public byte[] tinkSign() throws GeneralSecurityException {
    return tinkSigner.sign(message);
  }

  @Benchmark
  public byte[] tollgateSign() {
    return tollgateSigner.sign(message);
  }

  @Benchmark
  public boolean jdkVerify() throws GeneralSecurityException {
    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initVerify(jdkPublic);
    jdk.update(message);
    return jdk.verify(signature);
  }

  @Benchmark
  public boolean bcVerify() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, publicRaw, 0, message, 0, message.length);
  }

  /**
   * What the BouncyCastle engine does: refuse the small-order R encodings (a few comparisons, left
   * out here), verify, then require R in the prime-order subgroup.
   */
  @Benchmark
  public boolean bcVerifyStrict() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
            signature, 0, publicRaw, 0, message, 0, message.length)
        && org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(signature, 0);
  }

  @Benchmark
  public boolean tollgateVerify() {
    return tollgateVerifier.verifies(message, signature);
  }

  @Benchmark
  public boolean tinkVerify() {
    try {
      tinkVerifier.verify(signature, message);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
