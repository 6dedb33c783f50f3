/**
 * The event types (trigger, rejection, decision, run) and their ids. Threat-model rule owned here:
 * <b>ids are derived, not chosen</b>, so the same delivery or decision always has the same id.
 */
package dev.tollgate.schemas.event;
