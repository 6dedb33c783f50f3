package dev.tollgate.verifier.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key type cosign accepts, signed by the JDK, and cross-checked with openssl. */
class SignatureAlgorithmsTest {
  static final byte[] MESSAGE = "payload".getBytes(StandardCharsets.UTF_8);

  @Test
  void verify_ecdsaP256AndP384_acceptedAndTamperRejected() throws Exception {
    for (String[] c :
        new String[][] {
          {"secp256r1", "SHA256withECDSA"},
          {"secp384r1", "SHA384withECDSA"},
          {"secp384r1", "SHA256withECDSA"}
        }) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(c[0]));
      KeyPair pair = g.generateKeyPair();
      byte[] sig = sign(c[1], pair, MESSAGE, null);

      assertThat(SignatureAlgorithms.verify(pair.getPublic(), MESSAGE, sig))
          .as(c[0] + c[1])
          .isTrue();
      assertThat(
              SignatureAlgorithms.verify(
                  pair.getPublic(), "other".getBytes(StandardCharsets.UTF_8), sig))
          .isFalse();
    }
  }

  @Test
  void verify_rsaPkcs1AndPss_accepted() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();

    assertThat(
            SignatureAlgorithms.verify(
                pair.getPublic(), MESSAGE, sign("SHA256withRSA", pair, MESSAGE, null)))
        .isTrue();
    assertThat(
            SignatureAlgorithms.verify(
                pair.getPublic(),
                MESSAGE,
                sign(
                    "RSASSA-PSS",
                    pair,
                    MESSAGE,
                    new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1))))
        .isTrue();
  }

  @Test
  void verify_ed25519_accepted() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

    assertThat(
            SignatureAlgorithms.verify(
                pair.getPublic(), MESSAGE, sign("Ed25519", pair, MESSAGE, null)))
        .isTrue();
    assertThat(PublicKeys.fromPem("ed", PublicKeys.toPem(pair.getPublic())))
        .isEqualTo(pair.getPublic());
  }

  @Test
  void fromPem_shortRsaKey_keyInvalid() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    String pem = PublicKeys.toPem(g.generateKeyPair().getPublic());

    assertThatThrownBy(() -> PublicKeys.fromPem("weak", pem))
        .isInstanceOfSatisfying(
            TrustException.class,
            e -> assertThat(e.reason()).isEqualTo(TrustException.Reason.KEY_INVALID));
  }

  @Test
  void jdkSignature_verifiedByOpenssl(@TempDir Path dir) throws Exception {
    Prerequisites.requireOpenssl();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    Files.write(dir.resolve("payload"), MESSAGE);
    Files.write(dir.resolve("sig"), sign("SHA256withECDSA", pair, MESSAGE, null));
    Files.writeString(
        dir.resolve("pub.pem"), PublicKeys.toPem(pair.getPublic()), StandardCharsets.US_ASCII);

    String out =
        Programs.check(
            dir,
            List.of(
                "openssl",
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "sig",
                "payload"));

    assertThat(out).contains("Verified OK");
  }

  private static byte[] sign(String algorithm, KeyPair pair, byte[] message, PSSParameterSpec pss)
      throws Exception {
    Signature s = Signature.getInstance(algorithm);
    if (pss != null) {
      s.setParameter(pss);
    }
    s.initSign(pair.getPrivate());
    s.update(message);
    return s.sign();
  }
}
