/**
 * Reading the ledger topic back. Threat-model rule owned here: <b>only committed records count</b>,
 * and the ledger is one partition, so one chain.
 */
package dev.tollgate.ledger.topic;
