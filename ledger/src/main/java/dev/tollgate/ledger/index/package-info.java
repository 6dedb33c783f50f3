/**
 * What a verified ledger links: decisions, runs, triggers and image digests. Threat-model rule
 * owned here: <b>a run counts as admitted only through an admitting decision the ledger
 * recorded</b>.
 */
package dev.tollgate.ledger.index;
