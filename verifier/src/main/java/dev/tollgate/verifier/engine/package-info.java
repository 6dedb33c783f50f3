/**
 * Verification of a Tekton bundle end to end: <b>admit only what was pinned</b> (threat model: the
 * PipelineRun references the bundle by the digest that was verified, and nothing inside it reaches
 * the run by a reference that was not resolved, pinned and verified) and <b>an error is never an
 * admit</b> (a transient registry failure is an error, never cached, never verified).
 *
 * <p>{@link dev.tollgate.verifier.engine.TektonBundleVerifier} resolves a reference once and works
 * on that digest; {@link dev.tollgate.verifier.engine.SignedBundleReader} verifies one bundle's
 * signature and attestations and reads it; {@link dev.tollgate.verifier.engine.PipelineInspector}
 * follows every task reference (a task by bare name is denied); {@link
 * dev.tollgate.verifier.engine.TaskImageAttestations} judges every step image's scan and
 * provenance. Registry lookups run on one bounded executor, {@link
 * dev.tollgate.verifier.engine.RegistryLookups}, that the CLI or the service owns.
 */
package dev.tollgate.verifier.engine;
