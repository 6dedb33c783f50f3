/** The ledger record, as {@code ledger-record.v1.schema.json} documents it for third parties. */
package dev.tollgate.schemas.ledger;
