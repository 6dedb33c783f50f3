package dev.tollgate.verifier.signature;

import static dev.tollgate.verifier.signature.SignatureFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keyless sigstore bundles made by sigstore-js against a mock Fulcio CA and Rekor, verified offline
 * against the trusted root through {@link ImageSignatureVerifier}: identity and issuer are the
 * trust policy's judgement.
 */
@ExtendWith(RegistryExtension.class)
class SigstoreBundleKeylessVerifierTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    SignatureFixtures.start(server);
  }

  @Test
  void verify_keylessBundleBySigstoreJs_trustedForExactAndRegexIdentity() throws Exception {
    Repository repo = repo("bundle/keyless");
    Pushed image = copy(keylessImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-keyless")));

    SignatureReport exact =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));
    SignatureReport regex =
        verifier(
                keyless(
                    StringMatch.regex("https://github\\.com/acme/pipelines/\\.github/workflows/.*"),
                    StringMatch.regex("https://token\\.actions\\.githubusercontent\\.com")))
            .verify(tagged(repo));

    assertThat(exact.trusted()).as("%s", exact.checks()).isTrue();
    assertThat(exact.checks().get(0).evidence()).containsEntry("certificateIdentity", SUBJECT);
    assertThat(regex.trusted()).as("%s", regex.checks()).isTrue();
  }

  @Test
  void verify_keylessWrongIdentity_identityMismatch() throws Exception {
    Repository repo = repo("bundle/keyless-identity");
    Pushed image = copy(keylessImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-keyless")));

    SignatureReport report =
        verifier(
                keyless(
                    StringMatch.exact(
                        "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main"),
                    StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.IDENTITY_MISMATCH);
    assertThat(report.failures().get(0).evidence()).containsEntry("certificateIdentity", SUBJECT);
  }

  @Test
  void verify_keylessWrongIssuer_issuerMismatch() throws Exception {
    Repository repo = repo("bundle/keyless-issuer");
    Pushed image = copy(keylessImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-keyless")));

    SignatureReport report =
        verifier(
                keyless(
                    StringMatch.exact(SUBJECT), StringMatch.exact("https://accounts.google.com")))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.ISSUER_MISMATCH);
    assertThat(report.failures().get(0).evidence()).containsEntry("certificateIssuer", ISSUER);
  }
}
