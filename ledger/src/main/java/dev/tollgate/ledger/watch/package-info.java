/**
 * The run watch. Threat-model rules owned here: <b>no run goes unrecorded</b> (recorded when first
 * seen, a deletion never erases an unrecorded run, a blind watch is visible) and <b>a run nobody
 * admitted is flagged</b>.
 */
package dev.tollgate.ledger.watch;
