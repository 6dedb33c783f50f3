/**
 * Reading Tekton bundles and the tasks they run. Owns two rules of the threat model: "the verifier
 * reads every document exactly as Tekton will, or refuses it" ({@link
 * dev.tollgate.verifier.bundle.TektonYaml}, {@link dev.tollgate.verifier.bundle.LayerArchive},
 * unknown fields refused) and "nothing inside an admitted bundle reaches the run by a mutable
 * reference" (step, sidecar and stepTemplate images and task bundles by digest only; StepActions
 * denied), besides the restricted Pod Security Standard for every container a task runs.
 */
package dev.tollgate.verifier.bundle;
