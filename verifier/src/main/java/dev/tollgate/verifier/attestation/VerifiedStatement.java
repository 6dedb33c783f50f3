package dev.tollgate.verifier.attestation;

import java.util.Map;

/**
 * A statement about the checked digest whose signature verified with a trusted signer.
 *
 * @param signer the trust-configuration name of the key or identity
 * @param evidence where it was found and how it verified (attestation digest, key, identity)
 */
public record VerifiedStatement(Statement statement, String signer, Map<String, String> evidence) {
  public VerifiedStatement {
    evidence = Map.copyOf(evidence);
  }
}
