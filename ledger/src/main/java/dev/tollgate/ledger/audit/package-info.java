/**
 * The auditor CLI. Threat-model rule owned here: <b>trust comes from outside what is verified</b>:
 * a ledger, an export or a receipt verifies only under keys (and witness cosignatures) the auditor
 * supplies, and every failure names where and why.
 */
package dev.tollgate.ledger.audit;
