/**
 * The Kafka edge: the trigger consumer (the per-trigger guard) and the approvals journal on its
 * compacted topic. Threat-model rules owned here: <b>nothing from outside can stop a consumer</b>
 * (an unreadable record or any fault while deciding becomes that trigger's {@code error} decision)
 * and <b>exactly one decision per trigger</b> (the offset is committed after the decision is
 * acknowledged).
 */
package dev.tollgate.verifier.messaging;
