/**
 * The catalog of decision reason codes, each with its remediation. Threat-model rule owned here:
 * <b>every denial says what failed and what to do</b>; no reason code is written as a bare string.
 */
package dev.tollgate.verifier.reason;
