package dev.tollgate.verifier.signature;

import static dev.tollgate.verifier.signature.SignatureFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.Signed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signature verification of an artifact end to end against a real registry: what counts as missing,
 * the threshold of distinct trusted signers, and that the report pins the verified digest.
 */
@ExtendWith(RegistryExtension.class)
class ImageSignatureVerifierTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    SignatureFixtures.start(server);
  }

  @Test
  void verify_unsigned_signatureMissing() throws Exception {
    Repository repo = repo("unsigned");
    push.image(repo, "v1", "unsigned");

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_MISSING);
    assertThat(report.failures().get(0).remediation()).contains("Sign the artifact");
  }

  @Test
  void verify_twoOfTwoRequiredOneSigned_thresholdNotMet() throws Exception {
    Repository repo = repo("threshold/one");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-key")));
    TrustPolicy twoOfTwo = new TrustPolicy(List.of(release, other), List.of(), 2, Optional.empty());

    SignatureReport report = verifier(twoOfTwo).verify(tagged(repo));

    assertDenied(report, SignatureReason.THRESHOLD_NOT_MET);
    assertThat(report.trustedSigners()).containsExactly("release");
  }

  @Test
  void verify_twoOfTwoRequiredBothSigned_trusted() throws Exception {
    Repository repo = repo("threshold/two");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-key"), bundle("bundle-wrong-key")));
    TrustPolicy twoOfTwo = new TrustPolicy(List.of(release, other), List.of(), 2, Optional.empty());

    SignatureReport report = verifier(twoOfTwo).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
    assertThat(report.trustedSigners()).containsExactlyInAnyOrder("release", "other");
  }

  @Test
  void verify_tagMovedAfterResolution_reportPinsTheVerifiedDigest() throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo("legacy/moved");
    Pushed signedImage = push.image(repo, "v1", "moved-signed");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), signedImage.digest());
    push.legacySignatures(
        repo, signedImage.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));
    ImageSignatureVerifier verifier =
        verifier(
            TrustPolicy.anyOf(List.of(new TrustedKey("ci", pair.getPublic(), Validity.always()))));

    SignatureReport report = verifier.verify(tagged(repo));
    Pushed moved = push.image(repo, "v1", "moved-unsigned");

    assertThat(report.trusted()).isTrue();
    assertThat(report.pinned().digest()).contains(signedImage.digest());
    assertThat(client.resolve(report.pinned()).bytes()).isEqualTo(signedImage.bytes());
    SignatureReport afterMove = verifier.verify(tagged(repo));
    assertThat(afterMove.digest()).isEqualTo(moved.digest());
    assertDenied(afterMove, SignatureReason.SIGNATURE_MISSING);
  }
}
