package dev.tollgate.cli.decision;

import dev.tollgate.verifier.attestation.AttestationReason;
import dev.tollgate.verifier.bundle.BundleReason;
import dev.tollgate.verifier.oci.OciReason;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.signature.SignatureReason;
import java.util.Arrays;
import java.util.Optional;

/**
 * What to do about a reason code, from the catalog the verifier writes it through: {@link
 * DecisionReason} for the codes of decisions, and the check catalogs ({@link SignatureReason},
 * {@link BundleReason}, {@link OciReason}, {@link AttestationReason}) for the codes of verification
 * checks.
 */
public final class Remedies {

  private Remedies() {}

  /** The catalog's remediation for {@code code}; empty for a code no catalog holds. */
  public static Optional<String> of(String code) {
    Optional<DecisionReason> decision = DecisionReason.of(code);
    if (decision.isPresent()) {
      return decision.get().remediation();
    }
    return Arrays.stream(SignatureReason.values())
        .filter(r -> r.name().equals(code))
        .map(SignatureReason::remediation)
        .findFirst()
        .or(
            () ->
                Arrays.stream(BundleReason.values())
                    .filter(r -> r.name().equals(code))
                    .map(BundleReason::remediation)
                    .findFirst())
        .or(
            () ->
                Arrays.stream(OciReason.values())
                    .filter(r -> r.name().equals(code))
                    .map(OciReason::remediation)
                    .findFirst())
        .or(
            () ->
                Arrays.stream(AttestationReason.values())
                    .filter(r -> r.name().equals(code))
                    .map(AttestationReason::remediation)
                    .findFirst());
  }

  /** Whether any catalog holds {@code code}. */
  public static boolean known(String code) {
    return DecisionReason.of(code).isPresent() || of(code).isPresent();
  }
}
