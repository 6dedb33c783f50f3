package dev.tollgate.verifier.attestation;

import java.util.Map;

/**
 * A statement about the checked digest signed by enough distinct trusted signers.
 *
 * @param signer the trust-configuration names of the keys or identities that signed exactly this
 *     statement, comma-separated
 * @param evidence where it was found and how it verified (attestation digest, key, identity)
 */
public record VerifiedStatement(Statement statement, String signer, Map<String, String> evidence) {
  public VerifiedStatement {
    evidence = Map.copyOf(evidence);
  }
}
