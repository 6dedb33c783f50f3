package dev.tollgate.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.Ed25519Engine.EngineUnavailableException;
import dev.tollgate.schemas.signing.Ed25519Reference.Point;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both Ed25519 engines sign byte for byte alike and give the same verdict on every signature,
 * honest or crafted, by the rules written in {@link Ed25519Engine}.
 */
class Ed25519EngineTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final Ed25519Engine BC = BouncyCastleEd25519.INSTANCE;
  private static Ed25519Engine sodium;

  @BeforeAll
  static void loadLibsodium() {
    try {
      sodium = LibsodiumEd25519.load();
    } catch (EngineUnavailableException e) {
      sodium = null;
    }
  }

  /** libsodium, which deploy/local/prereqs installs; its absence skips only the parity tests. */
  private static Ed25519Engine sodium() {
    assumeTrue(sodium != null, "libsodium is not installed (apt-get install libsodium23)");
    return sodium;
  }

  private static List<Ed25519Engine> engines() {
    return List.of(BC, sodium());
  }

  // RFC 8032, section 7.1, TESTs 1, 2 and 3: seed, public key, message, signature.
  private static final String[][] RFC8032 = {
    {
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    },
    {
      "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
      "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    },
    {
      "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
      "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
      "af82",
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
    },
  };

  @Test
  void sign_rfc8032Vectors_bothEnginesGiveThePublishedSignatures() {
    for (Ed25519Engine engine : engines()) {
      for (String[] vector : RFC8032) {
        Ed25519Signer signer = engine.signer(HEX.parseHex(vector[0]));
        byte[] message = HEX.parseHex(vector[2]);
        assertThat(HEX.formatHex(signer.publicKey())).as(engine.name()).isEqualTo(vector[1]);
        assertThat(HEX.formatHex(signer.sign(message))).as(engine.name()).isEqualTo(vector[3]);
        assertThat(verdict(engine, signer.publicKey(), message, HEX.parseHex(vector[3]))).isTrue();
      }
    }
  }

  @Test
  void sign_randomKeysAndMessages_enginesAgreeByteForByteAndOnEveryVerdict() {
    Ed25519Engine libsodium = sodium();
    Random random = new Random(8032);
    for (int i = 0; i < 300; i++) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      byte[] message = new byte[random.nextInt(6000)];
      random.nextBytes(message);
      Ed25519Signer bc = BC.signer(seed);
      Ed25519Signer na = libsodium.signer(seed);
      assertThat(na.publicKey()).isEqualTo(bc.publicKey());
      byte[] signature = bc.sign(message);
      assertThat(na.sign(message)).isEqualTo(signature);
      byte[] key = bc.publicKey();
      assertThat(verdict(BC, key, message, signature)).isTrue();
      assertThat(verdict(libsodium, key, message, signature)).isTrue();

      byte[] flipped = signature.clone();
      flipped[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
      assertThat(verdict(BC, key, message, flipped)).isFalse();
      assertThat(verdict(libsodium, key, message, flipped)).isFalse();
      if (message.length > 0) {
        byte[] altered = message.clone();
        altered[random.nextInt(altered.length)] ^= 1;
        assertThat(verdict(BC, key, altered, signature)).isFalse();
        assertThat(verdict(libsodium, key, altered, signature)).isFalse();
      }
    }
  }

  /**
   * The cases of "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko; SSR 2020), from
   * github.com/novifinancial/ed25519-speccheck cases.json: each refused by both engines, most for
   * their key (small-order, mixed-order or non-canonical A), which is refused when read.
   */
  @Test
  void verify_specCheckCases_refusedAlikeByBothEngines() throws IOException {
    JsonNode cases;
    try (InputStream in = getClass().getResourceAsStream("ed25519-speccheck-cases.json")) {
      cases = Json.mapper().readTree(in);
    }
    assertThat(cases).hasSize(15);
    List<Integer> keysAccepted = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      byte[] key = HEX.parseHex(c.get("pub_key").asText());
      byte[] message = HEX.parseHex(c.get("message").asText());
      byte[] signature = HEX.parseHex(c.get("signature").asText());
      if (Ed25519Engine.isAcceptedPublicKey(key)) {
        keysAccepted.add(i);
      }
      for (Ed25519Engine engine : engines()) {
        assertThat(verdict(engine, key, message, signature)).as("case %d, %s", i, engine).isFalse();
      }
    }
    // Only cases 9 and 10 (S non-canonical) have a key in the prime-order subgroup.
    assertThat(keysAccepted).containsExactly(9, 10);
  }

  /** The cases where BouncyCastle alone and libsodium disagree, and the rules settle them. */
  @Test
  void verify_specCheckCasesWithMixedOrderKeys_wereJudgedApartBeforeTheKeyRule()
      throws IOException {
    Ed25519Engine libsodium = sodium();
    JsonNode cases;
    try (InputStream in = getClass().getResourceAsStream("ed25519-speccheck-cases.json")) {
      cases = Json.mapper().readTree(in);
    }
    List<Integer> apart = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      byte[] key = HEX.parseHex(c.get("pub_key").asText());
      byte[] message = HEX.parseHex(c.get("message").asText());
      byte[] signature = HEX.parseHex(c.get("signature").asText());
      boolean raw =
          org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
              signature, 0, key, 0, message, 0, message.length);
      if (raw != libsodium.verify(key, message, signature)) {
        apart.add(i);
      }
    }
    assertThat(apart).containsExactly(4, 5, 7, 8);
  }

  @Test
  void verify_smallOrderRWhoseEquationHolds_refusedByBothThoughBouncyCastleAloneAccepts() {
    Random random = new Random(1);
    BigInteger a = scalar(random);
    byte[] key = Ed25519Reference.encode(Ed25519Reference.multiply(a, Ed25519Reference.BASE));
    byte[] message = "identity R".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // R = the neutral point and S = k a: [S]B - [k]A = R holds, cofactorless.
    byte[] r = Ed25519Reference.encode(Ed25519Reference.IDENTITY);
    BigInteger k = Ed25519Reference.hashToScalar(r, key, message);
    byte[] signature = Ed25519Reference.signature(r, k.multiply(a).mod(Ed25519Reference.L));
    assertThat(
            org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
                signature, 0, key, 0, message, 0, message.length))
        .isTrue();
    for (Ed25519Engine engine : engines()) {
      assertThat(verdict(engine, key, message, signature)).as(engine.name()).isFalse();
    }
  }

  @Test
  void verify_rWithSmallOrderComponent_refusedByBothThoughBouncyCastleAloneSometimesAccepts() {
    Random random = new Random(2);
    int rawAccepted = 0;
    List<Point> torsion = new ArrayList<>();
    for (String hex :
        List.of(
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")) {
      torsion.add(Ed25519Reference.decode(HEX.parseHex(hex)));
    }
    for (int i = 0; i < 48; i++) {
      BigInteger a = scalar(random);
      byte[] key = Ed25519Reference.encode(Ed25519Reference.multiply(a, Ed25519Reference.BASE));
      byte[] message = ("message " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      BigInteger nonce = scalar(random);
      Point honest = Ed25519Reference.multiply(nonce, Ed25519Reference.BASE);
      byte[] r = Ed25519Reference.encode(Ed25519Reference.add(honest, torsion.get(i % 3)));
      BigInteger k = Ed25519Reference.hashToScalar(r, key, message);
      byte[] signature =
          Ed25519Reference.signature(r, nonce.add(k.multiply(a)).mod(Ed25519Reference.L));
      if (org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
          signature, 0, key, 0, message, 0, message.length)) {
        rawAccepted++;
      }
      for (Ed25519Engine engine : engines()) {
        assertThat(verdict(engine, key, message, signature)).as("%d %s", i, engine).isFalse();
      }
      // The same nonce without the small-order component: a signature both accept.
      byte[] r0 = Ed25519Reference.encode(honest);
      BigInteger k0 = Ed25519Reference.hashToScalar(r0, key, message);
      byte[] valid =
          Ed25519Reference.signature(r0, nonce.add(k0.multiply(a)).mod(Ed25519Reference.L));
      for (Ed25519Engine engine : engines()) {
        assertThat(verdict(engine, key, message, valid)).as("%d %s", i, engine).isTrue();
      }
    }
    assertThat(rawAccepted).as("signatures BouncyCastle's verify accepts alone").isPositive();
  }

  @Test
  void verify_nonCanonicalS_refusedByBoth() {
    Ed25519Signer signer = BC.signer(HEX.parseHex(RFC8032[1][0]));
    byte[] message = HEX.parseHex(RFC8032[1][2]);
    byte[] signature = signer.sign(message);
    BigInteger s = Ed25519Reference.fromLittleEndian(Arrays.copyOfRange(signature, 32, 64));
    byte[] plusL = Ed25519Reference.signature(signature, s.add(Ed25519Reference.L));
    byte[] highBits = signature.clone();
    highBits[63] |= (byte) 0xe0; // S >= 2^253
    for (Ed25519Engine engine : engines()) {
      assertThat(verdict(engine, signer.publicKey(), message, signature)).isTrue();
      assertThat(verdict(engine, signer.publicKey(), message, plusL)).as(engine.name()).isFalse();
      assertThat(verdict(engine, signer.publicKey(), message, highBits))
          .as(engine.name())
          .isFalse();
    }
  }

  @Test
  void verify_everySmallOrderEncodingAsR_refusedByBoth() {
    Ed25519Signer signer = BC.signer(HEX.parseHex(RFC8032[0][0]));
    byte[] message = new byte[0];
    Random random = new Random(3);
    for (byte[] encoding : smallOrderEncodings()) {
      for (int sign = 0; sign < 2; sign++) {
        byte[] r = encoding.clone();
        r[31] |= (byte) (sign << 7);
        for (BigInteger s : List.of(BigInteger.ZERO, BigInteger.ONE, scalar(random))) {
          byte[] signature = Ed25519Reference.signature(r, s);
          for (Ed25519Engine engine : engines()) {
            assertThat(verdict(engine, signer.publicKey(), message, signature)).isFalse();
          }
        }
      }
    }
  }

  @Test
  void isAcceptedPublicKey_smallOrderNonCanonicalOrMixedOrderKeys_refused() {
    for (byte[] encoding : smallOrderEncodings()) {
      byte[] negative = encoding.clone();
      negative[31] |= (byte) 0x80;
      assertThat(Ed25519Engine.isAcceptedPublicKey(encoding)).isFalse();
      assertThat(Ed25519Engine.isAcceptedPublicKey(negative)).isFalse();
    }
    // y = p + 2 .. 2^255 - 1: non-canonical whether or not y - p decodes.
    for (int low = 0xef; low <= 0xff; low++) {
      byte[] key = HEX.parseHex("00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
      key[0] = (byte) low;
      assertThat(Ed25519Engine.isCanonicalEncoding(key, 0)).isFalse();
      assertThat(Ed25519Engine.isAcceptedPublicKey(key)).isFalse();
    }
    Point a = Ed25519Reference.multiply(scalar(new Random(4)), Ed25519Reference.BASE);
    byte[] prime = Ed25519Reference.encode(a);
    assertThat(Ed25519Engine.isAcceptedPublicKey(prime)).isTrue();
    byte[] mixed =
        Ed25519Reference.encode(
            Ed25519Reference.add(a, Ed25519Reference.decode(smallOrderEncodings().get(2))));
    assertThat(Ed25519Engine.isAcceptedPublicKey(mixed)).isFalse();
    assertThat(Ed25519Verifier.forKey(mixed)).isEmpty();
    assertThat(Ed25519Engine.isAcceptedPublicKey(new byte[31])).isFalse();
    assertThat(Ed25519Engine.isAcceptedPublicKey(null)).isFalse();
  }

  @Test
  void smallOrderEncodings_decodableOnes_haveOrderDividingEight() {
    int decoded = 0;
    for (byte[] encoding : smallOrderEncodings()) {
      Point point = Ed25519Reference.decode(encoding);
      if (point != null) {
        decoded++;
        assertThat(
                Ed25519Reference.isIdentity(
                    Ed25519Reference.multiply(BigInteger.valueOf(8), point)))
            .isTrue();
      }
    }
    // p and p + 1 are the non-canonical encodings of 0 and 1.
    assertThat(decoded).isEqualTo(5);
  }

  @Test
  void select_bouncycastle_forcesBouncyCastleAndSaysSo() {
    Ed25519Engine.Selection selection = Ed25519Engine.select("bouncycastle");
    assertThat(selection.engine()).isSameAs(BC);
    assertThat(selection.description()).contains("tollgate.ed25519.engine=bouncycastle");
    Ed25519Engine.Selection unknown = Ed25519Engine.select("fastest");
    assertThat(unknown.engine()).isSameAs(BC);
    assertThat(unknown.description()).contains("neither auto nor bouncycastle");
  }

  @Test
  void select_autoWhereLibsodiumIsInstalled_usesLibsodium() {
    assumeTrue(
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libsodium.so.23")),
        "libsodium23 is not installed");
    Ed25519Engine.Selection selection = Ed25519Engine.select("auto");
    assertThat(selection.engine()).isInstanceOf(LibsodiumEd25519.class);
    assertThat(selection.description()).startsWith("libsodium 1.0.");
  }

  @Test
  void signer_toString_namesEngineOnly() {
    byte[] seed = HEX.parseHex(RFC8032[0][0]);
    for (Ed25519Engine engine : engines()) {
      String text = engine.signer(seed).toString();
      assertThat(text).startsWith("Ed25519Signer[").doesNotContain(RFC8032[0][0].substring(0, 8));
    }
    assertThatThrownBy(() -> Ed25519Signer.fromSeed(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static boolean verdict(
      Ed25519Engine engine, byte[] key, byte[] message, byte[] signature) {
    Optional<Ed25519Verifier> verifier = Ed25519Verifier.forKey(engine, key);
    return verifier.isPresent() && verifier.get().verifies(message, signature);
  }

  private static List<byte[]> smallOrderEncodings() {
    return List.of(
        HEX.parseHex("0000000000000000000000000000000000000000000000000000000000000000"),
        HEX.parseHex("0100000000000000000000000000000000000000000000000000000000000000"),
        HEX.parseHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        HEX.parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        HEX.parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        HEX.parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        HEX.parseHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
  }

  private static BigInteger scalar(Random random) {
    return new BigInteger(260, random)
        .mod(Ed25519Reference.L.subtract(BigInteger.ONE))
        .add(BigInteger.ONE);
  }
}
