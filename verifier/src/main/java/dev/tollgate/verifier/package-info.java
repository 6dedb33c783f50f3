/**
 * The verifier: from a trigger and its policy to a decision and, if admitted, a pinned PipelineRun.
 * {@link dev.tollgate.verifier.VerifierConfig} holds its configuration; each rule lives in its own
 * package (decide, verify, engine, signature, attestation, bundle, oci, launch, messaging).
 */
package dev.tollgate.verifier;
