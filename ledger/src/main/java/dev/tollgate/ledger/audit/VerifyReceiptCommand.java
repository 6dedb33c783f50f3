package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.checkpoint.ReceiptVerifier;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessQuorum;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify-receipt}: checks a tlog-proof receipt for an entry offline, with the public key
 * only: the checkpoint's signature, the entry's own signature and seq, and the inclusion proof;
 * with {@code --witness-key}, also that the receipt's checkpoint carries a quorum of witness
 * cosignatures (C2SP tlog-cosignature), so the receipt is of the tree every witness saw. Prints
 * {@code OK: ...} (exit 0) or {@code FAIL: ...} (exit 1); unreadable files exit 2.
 */
@Command(
    name = "verify-receipt",
    mixinStandardHelpOptions = true,
    description = "Verify a c2sp.org/tlog-proof receipt for one ledger entry, offline.")
public final class VerifyReceiptCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--receipt", required = true, paramLabel = "FILE", description = "The receipt.")
  Path receipt;

  @Option(
      names = "--entry",
      required = true,
      paramLabel = "FILE",
      description = "The entry's stored bytes (GET /ledger/v1/entries/<seq>).")
  Path entry;

  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "PEM",
      description = "The ledger's Ed25519 public key in PEM.")
  Path publicKey;

  @Option(
      names = "--origin",
      paramLabel = "ORIGIN",
      description = "The checkpoint origin to require (default: the one the checkpoint states).")
  String origin;

  @Mixin WitnessOptions witnesses;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LedgerPublicKey key;
    String receiptText;
    byte[] entryBytes;
    WitnessQuorum quorum;
    try {
      quorum = witnesses.quorum();
      key = LedgerPublicKey.read(publicKey);
      receiptText = Files.readString(receipt, StandardCharsets.UTF_8);
      entryBytes = Files.readAllBytes(entry);
    } catch (IOException e) {
      return AuditorCommand.usageError(err, "cannot read " + e.getMessage());
    } catch (PublicKeyFormatException e) {
      return AuditorCommand.usageError(err, "not an Ed25519 public key: " + e.getMessage());
    } catch (AuditSource.SourceException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    }
    try {
      Receipt parsed = Receipt.parse(receiptText);
      Checkpoint checkpoint =
          ReceiptVerifier.verify(parsed, entryBytes, key, Optional.ofNullable(origin));
      List<Cosignature> cosignatures = List.of();
      if (quorum.required() > 0) {
        try {
          cosignatures = quorum.verify(parsed.checkpoint());
        } catch (WitnessException e) {
          out.println(WitnessOptions.failure("the receipt's checkpoint", e, false));
          out.flush();
          return AuditorCommand.INVALID;
        }
      }
      out.println(
          "OK: entry "
              + parsed.index()
              + " is included in "
              + checkpoint.origin()
              + " at size "
              + checkpoint.size()
              + " "
              + checkpoint.rootDigest()
              + (cosignatures.isEmpty()
                  ? ""
                  : ", cosigned by " + WitnessOptions.names(cosignatures)));
      out.flush();
      return AuditorCommand.OK;
    } catch (CheckpointException e) {
      out.println("FAIL: " + e.describe());
      out.flush();
      return AuditorCommand.INVALID;
    }
  }
}
