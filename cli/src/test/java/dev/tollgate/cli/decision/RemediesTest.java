package dev.tollgate.cli.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.bundle.BundleReason;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.signature.SignatureReason;
import org.junit.jupiter.api.Test;

class RemediesTest {

  @Test
  void of_decisionCode_isTheDecisionCatalogsRemedy() {
    assertThat(Remedies.of("NO_MATCHING_POLICY"))
        .isEqualTo(DecisionReason.NO_MATCHING_POLICY.remediation());
  }

  @Test
  void of_checkCodes_areTheirCheckCatalogsRemedies() {
    assertThat(Remedies.of("SIGNATURE_MISSING"))
        .contains(SignatureReason.SIGNATURE_MISSING.remediation());
    assertThat(Remedies.of(BundleReason.values()[0].name()))
        .contains(BundleReason.values()[0].remediation());
  }

  @Test
  void of_codeNoCatalogHolds_isEmptyAndUnknown() {
    assertThat(Remedies.of("SIGNATURE_MISING")).isEmpty();
    assertThat(Remedies.known("SIGNATURE_MISING")).isFalse();
  }

  @Test
  void known_noteWithoutRemedy_isKnown() {
    assertThat(Remedies.known("BUNDLE_VERIFIED")).isTrue();
  }
}
