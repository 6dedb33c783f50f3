package dev.tollgate.schemas.signing;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The Ed25519 (RFC 8032) code behind every signature Tollgate makes or checks: events ({@link
 * EventSigningKey}, {@link EventPublicKey}) and the ledger's records and checkpoints. Two engines,
 * one behaviour: libsodium through JNA direct mapping when the system has it (about twice
 * BouncyCastle's sign and verify rates; the ledger's Ed25519Benchmark has the figures), and
 * BouncyCastle's RFC 8032 code otherwise. Signing is deterministic, so both give the same bytes;
 * verification follows the rules below in both, so no event or record verifies on one machine and
 * fails on another. The engine is chosen once per JVM and named in one INFO log line; {@link
 * #current()} and {@link #description()} tell benchmarks and tests which one runs.
 *
 * <p><b>Verification rules</b> (the one place they are written down). A public key is accepted,
 * when it is read ({@link Ed25519Verifier#forKey}), only if it is 32 bytes, its y coordinate is
 * canonical (below p = 2^255 - 19), it is none of the small-order encodings (libsodium's list: 0,
 * 1, the two points of order 8, p - 1, p and p + 1, sign bit ignored), it decodes to a curve point,
 * and that point lies in the prime-order subgroup ([L]A is the neutral point). A signature R || S
 * over M then verifies if and only if it is 64 bytes, S is canonical (S &lt; L), R is none of the
 * small-order encodings, and the cofactorless equation holds by encoding: the encoding of [S]B -
 * [k]A, with k = SHA-512(R || A || M) mod L, equals R byte for byte (so R is canonical and in the
 * prime-order subgroup too). These are libsodium 1.0.18's {@code crypto_sign_verify_detached}
 * rules, with the key rule added so that a key carrying a small-order component is refused when it
 * is read rather than judged differently by different libraries ("Taming the many EdDSAs", Chalkias
 * et al. 2020). BouncyCastle's {@code Ed25519.verify} checks S &lt; L and R's canonical y, but
 * checks the equation multiplied by a small scalar, which can accept an R carrying a small-order
 * component; so its engine refuses the small-order R encodings first and, when BouncyCastle
 * accepts, also requires R in the prime-order subgroup. Honest signatures verify under any RFC 8032
 * verifier; only crafted ones are refused here and accepted elsewhere.
 *
 * <p>The system property {@value #ENGINE_PROPERTY} chooses: {@code auto} (default: libsodium if it
 * loads and passes its self-test, else BouncyCastle, with the reason in the log line) or {@code
 * bouncycastle}. Missing libsodium, JNA unable to load, or a self-test failure never stops a
 * component: it runs on BouncyCastle with the same verdicts.
 */
public abstract sealed class Ed25519Engine permits BouncyCastleEd25519, LibsodiumEd25519 {

  /** {@code auto} (default) or {@code bouncycastle}. */
  public static final String ENGINE_PROPERTY = "tollgate.ed25519.engine";

  static final int SEED_BYTES = 32;
  static final int PUBLIC_KEY_BYTES = 32;
  static final int SIGNATURE_BYTES = 64;

  /** libsodium 1.0.18's {@code ge25519_has_small_order} list; the sign bit is not compared. */
  private static final byte[][] SMALL_ORDER_ENCODINGS = {
    HexFormat.of().parseHex("0000000000000000000000000000000000000000000000000000000000000000"),
    HexFormat.of().parseHex("0100000000000000000000000000000000000000000000000000000000000000"),
    HexFormat.of().parseHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    HexFormat.of().parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    HexFormat.of().parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    HexFormat.of().parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    HexFormat.of().parseHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
  };

  Ed25519Engine() {}

  /** The engine this JVM uses, chosen once. */
  public static Ed25519Engine current() {
    return Selected.SELECTION.engine();
  }

  /** The engine's name and, for BouncyCastle, why libsodium is not in use (no key material). */
  public static String description() {
    return Selected.SELECTION.description();
  }

  /** {@code libsodium <version>} or {@code BouncyCastle}. */
  public abstract String name();

  @Override
  public String toString() {
    return name();
  }

  /** A signer for this 32-byte RFC 8032 seed; the engine keeps its own copy of the key. */
  abstract Ed25519Signer signer(byte[] seed);

  /**
   * The verdict of the rules above for a key that {@link #isAcceptedPublicKey} accepted and a
   * 64-byte signature.
   */
  abstract boolean verify(byte[] publicKey, byte[] message, byte[] signature);

  /** The key rule of the class comment; engine-independent, checked once when a key is read. */
  static boolean isAcceptedPublicKey(byte[] raw) {
    return raw != null
        && raw.length == PUBLIC_KEY_BYTES
        && isCanonicalEncoding(raw, 0)
        && !hasSmallOrderEncoding(raw, 0)
        && Ed25519.validatePublicKeyFull(raw, 0);
  }

  /** Whether the 32 bytes at {@code offset} are one of the small-order encodings (any sign). */
  static boolean hasSmallOrderEncoding(byte[] point, int offset) {
    for (byte[] small : SMALL_ORDER_ENCODINGS) {
      if (Arrays.equals(point, offset, offset + 31, small, 0, 31)
          && (point[offset + 31] & 0x7f) == small[31]) {
        return true;
      }
    }
    return false;
  }

  /** Whether the y coordinate of the encoding at {@code offset} is below p (sign bit aside). */
  static boolean isCanonicalEncoding(byte[] point, int offset) {
    if ((point[offset + 31] & 0x7f) != 0x7f || (point[offset] & 0xff) < 0xed) {
      return true;
    }
    for (int i = 1; i < 31; i++) {
      if (point[offset + i] != (byte) 0xff) {
        return true;
      }
    }
    return false;
  }

  /** The engine a setting of {@value #ENGINE_PROPERTY} selects, and why. */
  static Selection select(String setting) {
    String choice = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
    return switch (choice) {
      case "bouncycastle" ->
          new Selection(
              BouncyCastleEd25519.INSTANCE, "BouncyCastle (" + ENGINE_PROPERTY + "=bouncycastle)");
      case "auto", "" -> {
        try {
          LibsodiumEd25519 sodium = LibsodiumEd25519.load();
          yield new Selection(sodium, sodium.name() + " through JNA");
        } catch (EngineUnavailableException e) {
          yield new Selection(
              BouncyCastleEd25519.INSTANCE,
              "BouncyCastle (libsodium not used: " + e.getMessage() + ")");
        } catch (LinkageError e) {
          // JNA's classes missing from the class path: LibsodiumEd25519 itself cannot link.
          yield new Selection(
              BouncyCastleEd25519.INSTANCE,
              "BouncyCastle (libsodium not used: "
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage()
                  + ")");
        }
      }
      default ->
          new Selection(
              BouncyCastleEd25519.INSTANCE,
              "BouncyCastle (" + ENGINE_PROPERTY + " is neither auto nor bouncycastle)");
    };
  }

  /** An engine and the sentence that says why it was chosen. */
  record Selection(Ed25519Engine engine, String description) {}

  /** Why libsodium cannot serve; the message names the cause, never key material. */
  static final class EngineUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    EngineUnavailableException(String message) {
      super(message);
    }
  }

  private static final class Selected {
    static final Selection SELECTION = select(System.getProperty(ENGINE_PROPERTY));

    static {
      System.getLogger(Ed25519Engine.class.getName())
          .log(Level.INFO, "Ed25519 engine: " + SELECTION.description());
    }

    private Selected() {}
  }
}
