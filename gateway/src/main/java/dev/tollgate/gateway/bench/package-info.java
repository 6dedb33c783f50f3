/**
 * Benchmark support only: the trivial endpoint the load benchmark measures as the server's own
 * ceiling, off unless configured. Owns no threat-model rule.
 */
package dev.tollgate.gateway.bench;
