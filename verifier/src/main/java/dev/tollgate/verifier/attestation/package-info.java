/**
 * What the attestations of a digest say, and whether they count: <b>judge only statements about
 * exactly this digest, signed by enough trusted attestation signers</b> (threat model: "every check
 * fails closed"; the {@code attestationSigners.threshold} of distinct signers applies to each
 * statement).
 *
 * <p>{@link dev.tollgate.verifier.attestation.AttestationCollector} finds the in-toto statements
 * attached to a digest and keeps the trusted ones (signatures are checked by the signature package,
 * the threshold is the trust policy's judgement); {@link
 * dev.tollgate.verifier.attestation.ScanEvaluator} judges vulnerability scans and their {@link
 * dev.tollgate.verifier.attestation.VulnerabilityWaiver waivers}; {@link
 * dev.tollgate.verifier.attestation.ProvenanceEvaluator} judges SLSA provenance with CEL
 * conditions. Each rejection keeps its reason, so a denial says "there is a scan, but signed by X"
 * rather than "no scan".
 */
package dev.tollgate.verifier.attestation;
