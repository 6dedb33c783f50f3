/**
 * {@code tollgate explain TRIGGER_ID}: what was decided for one trigger and why, check by check, in
 * plain words, with what to do about each reason from the verifier's catalogs, read from the ledger
 * with every record verified. Threat-model rule owned here: <b>say what an explanation rests
 * on</b>: the ledger key it verified under, and for each event whether the ledger found it signed
 * by the component that should have written it; an event that was not is shown as such, never as a
 * decision.
 */
package dev.tollgate.cli.explain;
