/**
 * Pushing to an OCI registry the way a client does (distribution API, monolithic uploads) and the
 * formats the verifier reads: image manifests, Tekton bundle layers (single-file ustar, {@code
 * dev.tekton.image.*} annotations), cosign legacy {@code .sig}/{@code .att} attachments. Shared by
 * the local demo and the verifier's registry tests, so both push exactly the same shapes.
 */
package dev.tollgate.deploy.demo.oci;
