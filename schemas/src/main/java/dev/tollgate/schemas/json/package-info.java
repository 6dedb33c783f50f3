/**
 * JSON as every component reads and writes it: RFC 8785 canonical bytes for anything hashed or
 * signed, strict parsing for anything received.
 */
package dev.tollgate.schemas.json;
