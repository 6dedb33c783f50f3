/**
 * Built-in schedules. Threat-model rule owned here: <b>a schedule fires only what configuration
 * names</b>, with an id derived from the tick, so replicas and restarts cannot multiply or forge a
 * scheduled trigger.
 */
package dev.tollgate.gateway.cron;
