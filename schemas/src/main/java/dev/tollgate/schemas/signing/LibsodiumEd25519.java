package dev.tollgate.schemas.signing;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * libsodium's Ed25519 ({@code crypto_sign_detached}, {@code crypto_sign_verify_detached}) through
 * JNA direct mapping. Loaded once, and used only after a self-test: RFC 8032's first test vector
 * signs to its published signature and verifies, and the same signature with S + L, and one with a
 * small-order R, are refused. Each signer keeps the 64-byte libsodium secret key (seed and public
 * key) in native memory of its own, zeroed when the signer is collected; no call copies it.
 */
final class LibsodiumEd25519 extends Ed25519Engine {

  /** libsodium's name with and without the development symlink (Debian: libsodium23). */
  private static final List<String> LIBRARY_NAMES = List.of("sodium", "libsodium.so.23");

  private static final Cleaner CLEANER = Cleaner.create();

  // RFC 8032, section 7.1, TEST 1: the empty message.
  private static final byte[] TEST_SEED =
      HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  private static final byte[] TEST_PUBLIC =
      HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  private static final byte[] TEST_SIGNATURE =
      HexFormat.of()
          .parseHex(
              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
                  + "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  // The group order L, little-endian.
  private static final byte[] ORDER =
      HexFormat.of().parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");

  private final String version;

  private LibsodiumEd25519(String version) {
    this.version = version;
  }

  /** libsodium, loaded and self-tested once per JVM; or why not. */
  static LibsodiumEd25519 load() throws EngineUnavailableException {
    return Loaded.ENGINE.orElseThrow();
  }

  @Override
  public String name() {
    return "libsodium " + version;
  }

  @Override
  Ed25519Signer signer(byte[] seed) {
    Memory secret = new Memory(2L * SEED_BYTES + SEED_BYTES);
    // [0, 64): libsodium's secret key (seed || public key); [64, 96): the seed, zeroed at once.
    Pointer seedCopy = secret.share(2L * SEED_BYTES);
    seedCopy.write(0, seed, 0, SEED_BYTES);
    byte[] publicKey = new byte[PUBLIC_KEY_BYTES];
    int status = Bindings.cryptoSignSeedKeypair(publicKey, secret, seedCopy);
    seedCopy.clear(SEED_BYTES);
    if (status != 0) {
      secret.clear();
      throw new IllegalStateException("libsodium refused to expand a 32-byte seed");
    }
    Signer signer = new Signer(secret, publicKey);
    CLEANER.register(signer, new Zeroing(secret));
    return signer;
  }

  @Override
  boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    return Bindings.cryptoSignVerifyDetached(signature, message, message.length, publicKey) == 0;
  }

  /** JNA direct mapping; Java names are libsodium's in camel case (see {@link Loaded}). */
  static final class Bindings {
    static native int sodiumInit();

    static native Pointer sodiumVersionString();

    static native int cryptoSignSeedKeypair(byte[] publicKey, Pointer secretKey, Pointer seed);

    static native int cryptoSignDetached(
        byte[] signature, Pointer signatureLength, byte[] message, long length, Pointer secretKey);

    static native int cryptoSignVerifyDetached(
        byte[] signature, byte[] message, long length, byte[] publicKey);

    private Bindings() {}
  }

  private static final class Signer implements Ed25519Signer {
    private final Memory secret;
    private final byte[] publicKey;

    Signer(Memory secret, byte[] publicKey) {
      this.secret = secret;
      this.publicKey = publicKey;
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public byte[] sign(byte[] message) {
      byte[] signature = new byte[SIGNATURE_BYTES];
      try {
        if (Bindings.cryptoSignDetached(signature, null, message, message.length, secret) != 0) {
          throw new IllegalStateException("libsodium failed to sign");
        }
      } finally {
        // The cleaner zeroes and frees the secret key once this signer is unreachable: not before
        // the native call has finished with it.
        Reference.reachabilityFence(this);
      }
      return signature;
    }

    @Override
    public String toString() {
      return "Ed25519Signer[libsodium]";
    }
  }

  /** Zeroes a signer's native secret key once the signer is unreachable. */
  private record Zeroing(Memory secret) implements Runnable {
    @Override
    public void run() {
      secret.clear();
      secret.close();
    }
  }

  /** The outcome of loading libsodium: the engine, or the reason there is none. */
  private record Outcome(LibsodiumEd25519 engine, String reason) {
    LibsodiumEd25519 orElseThrow() throws EngineUnavailableException {
      if (engine == null) {
        throw new EngineUnavailableException(reason);
      }
      return engine;
    }
  }

  private static final class Loaded {
    static final Outcome ENGINE = attempt();

    private Loaded() {}

    private static Outcome attempt() {
      NativeLibrary library;
      try {
        library = open();
        Native.register(Bindings.class, library);
      } catch (LinkageError e) {
        // UnsatisfiedLinkError (no libsodium, or JNA cannot unpack its dispatch library) and
        // NoClassDefFoundError (JNA failed earlier) alike: the message says which.
        Throwable cause = e.getCause();
        return new Outcome(
            null,
            e.getClass().getSimpleName()
                + ": "
                + e.getMessage()
                + (cause == null
                    ? ""
                    : " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")"));
      }
      if (Bindings.sodiumInit() < 0) {
        return new Outcome(null, "sodium_init failed");
      }
      String version = Bindings.sodiumVersionString().getString(0);
      LibsodiumEd25519 engine = new LibsodiumEd25519(version);
      String failure = selfTest(engine);
      return failure == null
          ? new Outcome(engine, null)
          : new Outcome(null, "libsodium " + version + " failed its self-test: " + failure);
    }

    private static NativeLibrary open() {
      Map<String, Object> options =
          Map.of(
              Library.OPTION_FUNCTION_MAPPER,
              (com.sun.jna.FunctionMapper)
                  (library, method) ->
                      method.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT));
      UnsatisfiedLinkError first = null;
      for (String name : LIBRARY_NAMES) {
        try {
          return NativeLibrary.getInstance(name, options);
        } catch (UnsatisfiedLinkError e) {
          if (first == null) {
            first = e;
          }
        }
      }
      throw first;
    }

    /** Null when libsodium gives the known answers; otherwise what it got wrong. */
    private static String selfTest(LibsodiumEd25519 engine) {
      Ed25519Signer signer = engine.signer(TEST_SEED);
      if (!Arrays.equals(signer.publicKey(), TEST_PUBLIC)) {
        return "RFC 8032 test 1's public key";
      }
      byte[] empty = new byte[0];
      if (!Arrays.equals(signer.sign(empty), TEST_SIGNATURE)
          || !engine.verify(TEST_PUBLIC, empty, TEST_SIGNATURE)) {
        return "RFC 8032 test 1's signature";
      }
      if (engine.verify(TEST_PUBLIC, empty, plusOrder(TEST_SIGNATURE))) {
        return "accepts S + L";
      }
      byte[] smallOrderR = TEST_SIGNATURE.clone();
      Arrays.fill(smallOrderR, 0, 32, (byte) 0);
      smallOrderR[0] = 1;
      if (engine.verify(TEST_PUBLIC, empty, smallOrderR)) {
        return "accepts a small-order R";
      }
      return null;
    }

    /** The signature with L added to S (little-endian; S + L stays below 2^256). */
    private static byte[] plusOrder(byte[] signature) {
      byte[] out = signature.clone();
      int carry = 0;
      for (int i = 0; i < 32; i++) {
        int sum = (out[32 + i] & 0xff) + (ORDER[i] & 0xff) + carry;
        out[32 + i] = (byte) sum;
        carry = sum >>> 8;
      }
      return out;
    }
  }
}
