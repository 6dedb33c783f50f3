package dev.tollgate.verifier.signature;

import static dev.tollgate.verifier.signature.SignatureFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.Signed;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * cosign simple-signing {@code .sig} signatures made with a key (JDK crypto and openssl), verified
 * through {@link ImageSignatureVerifier} against a real registry. One test per failure mode.
 */
@ExtendWith(RegistryExtension.class)
class SimpleSigningVerifierTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    SignatureFixtures.start(server);
  }

  @Test
  void verify_legacySigSignedWithJdk_trusted() throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo("legacy/jdk");
    Pushed image = push.image(repo, "v1", "legacy-jdk");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    push.legacySignatures(
        repo, image.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));

    SignatureReport report =
        verifier(
                TrustPolicy.anyOf(
                    List.of(new TrustedKey("ci", pair.getPublic(), Validity.always()))))
            .verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
  }

  @Test
  void verify_legacySigSignedWithOpenssl_trusted(@TempDir Path dir) throws Exception {
    Prerequisites.requireOpenssl();
    Repository repo = repo("legacy/openssl");
    Pushed image = push.image(repo, "v1", "legacy-openssl");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    Files.write(dir.resolve("payload.json"), payload);
    Programs.check(
        dir,
        List.of(
            "openssl",
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "key.pem"));
    Programs.check(dir, List.of("openssl", "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"));
    Programs.check(
        dir,
        List.of(
            "openssl", "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.der", "payload.json"));
    String sig = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("sig.der")));
    push.legacySignatures(repo, image.digest(), List.of(new Signed(payload, sig)));
    TrustedKey key =
        TrustedKey.fromPem(
            "openssl",
            Files.readString(dir.resolve("pub.pem"), StandardCharsets.UTF_8),
            Validity.always());

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(key))).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
  }

  @Test
  void verify_legacySigWrongKey_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/wrong-key");
    Pushed image = push.image(repo, "v1", "legacy-wrong");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    push.legacySignatures(
        repo,
        image.digest(),
        List.of(new Signed(payload, sign(ecKeyPair().getPrivate(), payload))));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
  }

  @Test
  void verify_legacySigKeyExpired_keyExpired() throws Exception {
    SignatureReport report =
        legacySignedWithWindow("legacy/expired", Validity.between(null, NOW.minusSeconds(1)));

    assertDenied(report, SignatureReason.KEY_EXPIRED);
    assertThat(report.failures().get(0).signer()).contains("windowed");
  }

  @Test
  void verify_legacySigKeyNotYetValid_keyNotYetValid() throws Exception {
    SignatureReport report =
        legacySignedWithWindow("legacy/not-yet", Validity.between(NOW.plusSeconds(3600), null));

    assertDenied(report, SignatureReason.KEY_NOT_YET_VALID);
  }

  @Test
  void verify_legacySigPayloadNamesOtherDigest_payloadDigestMismatch() throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo("legacy/payload-mismatch");
    Pushed image = push.image(repo, "v1", "legacy-payload");
    Digest otherDigest = Digest.of("another manifest".getBytes(StandardCharsets.UTF_8));
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), otherDigest);
    push.legacySignatures(
        repo, image.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));

    SignatureReport report =
        verifier(
                TrustPolicy.anyOf(
                    List.of(new TrustedKey("ci", pair.getPublic(), Validity.always()))))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.PAYLOAD_DIGEST_MISMATCH);
    assertThat(report.failures().get(0).evidence())
        .containsEntry("payloadDigest", otherDigest.toString());
  }
}
