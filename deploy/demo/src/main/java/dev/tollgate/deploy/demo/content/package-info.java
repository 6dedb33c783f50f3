/**
 * The local stack's demo content, built at start-up without Docker, cosign or tkn: a signed
 * pipeline bundle whose task comes from a signed task bundle pinned by digest, step images with
 * signed vulnerability scans and provenance, an unsigned bundle, the trust configuration that
 * trusts exactly the keys generated here, and the TriggerPolicies that name them. Demo keys are
 * fresh on every start and never leave the state directory's public halves.
 */
package dev.tollgate.deploy.demo.content;
