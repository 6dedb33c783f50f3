/**
 * Benchmark support only, compiled by the Maven profile {@code bench} alone and never into the
 * production gateway: the trivial endpoint the load benchmark measures as the server's own
 * ceiling. Owns no threat-model rule.
 */
package dev.tollgate.gateway.bench;
