/**
 * Which gateway replica does the work that must happen once, not once per replica (schedules, the
 * redelivery job). Threat-model rule owned here: <b>one replica at a time acts for all</b>, and the
 * one that takes over knows what its predecessor did (the last fired tick of every schedule), so a
 * handover neither skips nor multiplies work beyond a duplicate its deterministic id reveals.
 */
package dev.tollgate.gateway.leader;
