/**
 * The run watch. Threat-model rules owned here: <b>no run goes unrecorded</b> (recorded when first
 * seen, a deletion never erases an unrecorded run, a blind watch is visible), <b>a run nobody
 * admitted is flagged</b>, and <b>a run Tekton resolved from a digest its decision did not pin is
 * flagged</b> ({@link dev.tollgate.ledger.watch.ResolutionCheck}).
 */
package dev.tollgate.ledger.watch;
