package dev.tollgate.verifier.attestation;

import java.util.List;

/**
 * What SLSA provenance must show for each task image: present (when {@code required}) and every
 * condition true.
 */
public record ProvenancePolicy(boolean required, List<ProvenanceCondition> conditions) {
  public ProvenancePolicy {
    conditions = List.copyOf(conditions);
  }

  /** Provenance required, no conditions beyond a trusted signer and a matching subject. */
  public static ProvenancePolicy defaults() {
    return new ProvenancePolicy(true, List.of());
  }
}
