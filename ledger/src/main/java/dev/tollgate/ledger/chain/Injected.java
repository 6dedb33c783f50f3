package dev.tollgate.ledger.chain;

/**
 * A value on the ledger topic that is not one of the ledger's records: anyone who can write to the
 * topic can produce one, so it says nothing about the ledger and must not stop its verification.
 * The chain links by seq and prev, so it is verified across such values; a value that is the
 * ledger's (canonical, signed by a key in force, not a copy) but does not extend the chain is a
 * {@link ChainException}, never this.
 *
 * @param reason the stable code of what makes it foreign
 * @param why one line for humans; never quotes the value
 */
public record Injected(Reason reason, String why) {

  /** Why a value is not the ledger's; scripts key on these names. */
  public enum Reason {
    /** Not one JSON document. */
    NOT_JSON,
    /** JSON, but not byte for byte its RFC 8785 form, which is all the ledger ever writes. */
    NOT_CANONICAL,
    /** JSON without a ledger key id and an Ed25519 signature of the record's form. */
    NOT_A_RECORD,
    /** Signed by a key that is not a ledger key in force at this point of the chain. */
    UNKNOWN_KEY,
    /** Names a ledger key in force, but the signature does not verify. */
    BAD_SIGNATURE,
    /** A byte-for-byte copy of a record the chain already holds at an earlier seq. */
    REPLAYED
  }

  public Injected {
    if (reason == null || why == null || why.isEmpty()) {
      throw new IllegalArgumentException("an injected value has a reason and says why");
    }
  }

  /** One line: reason code and why. */
  public String describe() {
    return reason + ": " + why;
  }
}
