/**
 * Bounded retries with exponential backoff. Threat-model rule owned here: <b>retries end</b> (an
 * outage that outlasts them is an {@code error} decision, never a wait without end or an admit).
 */
package dev.tollgate.verifier.retry;
