package dev.tollgate.ledger.signing;

import java.util.List;

/**
 * The keys the ledger was signed with before its signing key, oldest or newest in any order: the
 * writer uses the one in force on the chain to announce the signing key (key rotation).
 *
 * @param signers the previous keys
 */
public record PreviousSigners(List<LedgerSigner> signers) {
  public PreviousSigners {
    signers = List.copyOf(signers);
  }
}
