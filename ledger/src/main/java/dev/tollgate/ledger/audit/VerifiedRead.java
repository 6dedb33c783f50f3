package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The part {@code replay} and {@code sealed} share: trust the keys given with {@code --public-key}
 * (never an export's own), read the whole ledger from its topic or export, verify every record in
 * seq order (shown or not: the chain is only as good as its prefix) and hand each verified record
 * and each injected value to the command. A ledger that does not verify ends with {@code FAIL at
 * seq <n>: ...} on stdout (exit 1); one that cannot be read with {@code ERROR: ...} on stderr (exit
 * 2).
 */
final class VerifiedRead {

  /** The read ended early; why is printed, and the command exits with {@link #exitCode()}. */
  static final class StoppedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private StoppedException(int exitCode) {
      super(null, null, false, false);
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }

  private VerifiedRead() {}

  /**
   * Reads and verifies the whole ledger, {@code listener} taking each verified record in seq order.
   *
   * @param fromExport the export to read, or null for the topic {@code source} names
   * @return the head of the verified chain
   * @throws StoppedException when the ledger cannot be read or does not verify (already reported)
   */
  static ChainHead all(
      LedgerTopicOptions source,
      Path fromExport,
      List<Path> publicKeys,
      PrintWriter out,
      PrintWriter err,
      ParallelVerifier.Listener listener)
      throws StoppedException {
    LedgerVerifier ledger;
    try {
      if (fromExport != null) {
        AuditSource.manifest(fromExport);
      }
      List<LedgerPublicKey> keys = AuditSource.trustedKeys(publicKeys, fromExport, false);
      ledger = LedgerVerifier.trusting(keys, Optional.empty(), MerkleTree.inMemory());
    } catch (AuditSource.SourceException e) {
      throw usage(err, e.getMessage());
    }
    try (ParallelVerifier verifier = new ParallelVerifier(ledger, 1, null, listener)) {
      AuditSource.read(source, fromExport, verifier::accept);
      verifier.finish();
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      out.flush();
      throw new StoppedException(AuditorCommand.INVALID);
    } catch (AuditSource.SourceException e) {
      out.flush();
      throw usage(err, e.getMessage());
    } catch (IOException e) {
      out.flush();
      throw usage(err, "cannot read " + fromExport + ": " + e.getMessage());
    }
    return ledger.head();
  }

  private static StoppedException usage(PrintWriter err, String message) {
    return new StoppedException(AuditorCommand.usageError(err, message));
  }
}
