/**
 * Reading OCI registries and image layouts: manifests, blobs, tags, referrers.
 *
 * <p>Threat-model rule owned here: <b>a registry's answers are hostile input, and reading them
 * fails closed.</b> Whoever controls a registry (or a repository in it) chooses every byte the
 * verifier reads from it: status lines, headers, redirects, challenges, manifests, descriptors and
 * blobs. So:
 *
 * <ul>
 *   <li>Nothing a registry sends can crash the verifier: every malformed answer (bad JSON, wrong
 *       types, negative or huge sizes, bad digests, bad URIs, unknown schemes) becomes a checked
 *       {@link dev.tollgate.verifier.oci.OciException} with a stable {@link
 *       dev.tollgate.verifier.oci.OciReason} and its evidence, never an unchecked exception.
 *   <li>Nothing a registry sends can starve the verifier: bodies are read within a cap per kind of
 *       artifact while they arrive ({@link dev.tollgate.verifier.oci.OciLimits}), and every round
 *       trip, retry and pause within a time budget ({@link dev.tollgate.verifier.oci.Deadline}).
 *   <li>Credentials never leave their registry's host: not with a redirect, not to a bearer realm
 *       elsewhere unless configured; redirects go only to http(s), never downgrade, and never into
 *       the loopback or link-local networks unless the registry is there itself.
 *   <li>Content is trusted only by digest: every manifest and blob is checked against the digest it
 *       was requested by before anyone sees it.
 * </ul>
 */
package dev.tollgate.verifier.oci;
