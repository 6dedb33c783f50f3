/**
 * Sealed payload parts: personal data kept out of the signed ledger so it can be erased.
 *
 * <p>Threat-model rule owned here: <b>an erasure never breaks verification</b>. A sealed value
 * stands in the signed record as a salted commitment (SHA-256 over 32 random bytes and the value's
 * RFC 8785 form), its salt and value in the sealed store ({@link
 * dev.tollgate.ledger.privacy.SealedStore}); erasing deletes them there, and the record, the chain
 * and every checkpoint stay valid. What remains is checked: a present part must match its
 * commitment ({@link dev.tollgate.ledger.privacy.SealedCheck}), an absent one shows as erased. The
 * salt keeps a commitment from being confirmed by guessing the value (an e-mail address, a name).
 */
package dev.tollgate.ledger.privacy;
