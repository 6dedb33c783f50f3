/**
 * Verification as one piece behind {@link dev.tollgate.verifier.verify.BundleVerification}: the
 * engine per trust configuration, its result cache, the shared tag cache, retries, and the registry
 * client from the mounted credentials. Threat-model rule owned here: <b>a transient registry error
 * is never a pass</b> (it is reported as such after bounded retries, and never cached).
 */
package dev.tollgate.verifier.verify;
