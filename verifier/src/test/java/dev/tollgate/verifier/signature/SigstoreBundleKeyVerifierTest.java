package dev.tollgate.verifier.signature;

import static dev.tollgate.verifier.signature.SignatureFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Attachments;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sigstore bundles signed with a key by sigstore-js (message signature and DSSE), found as
 * referrers and verified through {@link ImageSignatureVerifier}. One test per failure mode.
 */
@ExtendWith(RegistryExtension.class)
class SigstoreBundleKeyVerifierTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    SignatureFixtures.start(server);
  }

  @Test
  void verify_publicKeyBundleBySigstoreJs_trustedAndPinned() throws Exception {
    Repository repo = repo("bundle/key");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-key")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
    assertThat(report.trustedSigners()).containsExactly("release");
    assertThat(report.pinned().digest()).contains(image.digest());
    Attachments found = new ArtifactDiscovery(client).discover(repo, image.digest());
    assertThat(found.referrerSource()).isEqualTo(Attachments.ReferrerSource.FALLBACK_TAG);
  }

  @Test
  void verify_dsseBundleBySigstoreJs_trusted() throws Exception {
    Repository repo = repo("bundle/dsse");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-dsse-key")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
  }

  @Test
  void verify_bundleByUntrustedKey_signatureInvalid() throws Exception {
    Repository repo = repo("bundle/wrong-key");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-wrong-key")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
    assertThat(report.failures().get(0).evidence()).containsEntry("keysTried", "release");
  }

  @Test
  void verify_bundleForAnotherArtifact_payloadDigestMismatch() throws Exception {
    Repository repo = repo("bundle/other-artifact");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-other-artifact")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.PAYLOAD_DIGEST_MISMATCH);
  }
}
