package dev.tollgate.verifier.signature;

import static dev.tollgate.verifier.signature.SignatureFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.CosignLegacy;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * cosign legacy keyless {@code .sig} layers (Fulcio certificate, chain and Rekor entry as
 * annotations) made by sigstore-js, verified offline against the trusted root through {@link
 * ImageSignatureVerifier}. One test per failure mode.
 */
@ExtendWith(RegistryExtension.class)
class LegacyKeylessVerifierTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    SignatureFixtures.start(server);
  }

  @Test
  void verify_legacyKeylessSigBySigstoreJs_trustedWithRekorEvidence() throws Exception {
    Repository repo = repo("legacy/keyless");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
    assertThat(report.trustedSigners()).containsExactly("release-workflow");
    assertThat(report.checks().get(0).evidence())
        .containsEntry("certificateIdentity", SUBJECT)
        .containsKeys("rekorLogIndex", "rekorIntegratedTime");
  }

  @Test
  void verify_legacyKeylessSigWrongIdentity_identityMismatch() throws Exception {
    Repository repo = repo("legacy/keyless-identity");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report =
        verifier(
                keyless(
                    StringMatch.exact("https://github.com/acme/other/.github/workflows/x.yml"),
                    StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.IDENTITY_MISMATCH);
  }

  @Test
  void verify_legacyKeylessSigWrongIssuer_issuerMismatch() throws Exception {
    Repository repo = repo("legacy/keyless-issuer");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact("https://gitlab.com")))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.ISSUER_MISMATCH);
  }

  @Test
  void verify_legacyKeylessSigIntegratedTimeAltered_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/keyless-set");
    java.util.Map<String, String> a = new java.util.LinkedHashMap<>(legacyAnnotations(signed));
    a.put(
        CosignLegacy.BUNDLE,
        CosignLegacy.withPayloadField(a.get(CosignLegacy.BUNDLE), "integratedTime", 1_700_000_000));
    legacyKeyless(repo, a);

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
    assertThat(report.failures().get(0).message()).contains("signed entry timestamp");
  }

  @Test
  void verify_legacyKeylessSigFromUntrustedCa_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/keyless-ca");
    legacyKeyless(repo, legacyAnnotations(otherCa));

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
    assertThat(report.failures().get(0).message()).contains("Fulcio");
  }

  @Test
  void verify_legacyKeylessSigWithoutRekorBundle_malformedSignature() throws Exception {
    Repository repo = repo("legacy/keyless-norekor");
    java.util.Map<String, String> a = new java.util.LinkedHashMap<>(legacyAnnotations(signed));
    a.remove(CosignLegacy.BUNDLE);
    legacyKeyless(repo, a);

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.MALFORMED_SIGNATURE);
  }

  @Test
  void verify_legacyKeylessSigButOnlyKeysTrusted_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/keyless-keys-only");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
  }
}
