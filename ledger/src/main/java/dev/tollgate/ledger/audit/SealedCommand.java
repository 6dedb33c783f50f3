package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.privacy.SealedCheck;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sealed}: verifies the chain and checks every sealed payload part against a sealed store:
 * one line per part ({@code present}, {@code erased}, or {@code MISMATCH} with why), then a
 * summary. Exit 1 when the chain fails, a present part does not match its commitment, or a record
 * whose parts are all present does not hash to its payload digest; erased parts are no failure.
 */
@Command(
    name = "sealed",
    mixinStandardHelpOptions = true,
    description =
        "Check sealed payload parts (personal data kept apart for erasure) against a sealed store.")
public final class SealedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerTopicOptions source;

  @Option(
      names = "--from-export",
      paramLabel = "DIR",
      description = "Check the directory `export` wrote instead of the topic.")
  Path fromExport;

  @Option(
      names = "--public-key",
      paramLabel = "PEM",
      description = "Ed25519 public key trusted for the first record.")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--sealed-store",
      paramLabel = "DIR",
      required = true,
      description = "The sealed store: the ledger's <data-dir>/sealed, or a copy of it.")
  Path sealedStore;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SealedStore store = new SealedStore(sealedStore);
    long[] counts = new long[4];
    ParallelVerifier.Listener listener =
        new ParallelVerifier.Listener() {
          @Override
          public void verified(ChainEntry entry, byte[] value) {
            LedgerRecord record = record(value);
            if (record.sealed().isEmpty()) {
              return;
            }
            SealedCheck.Result result = SealedCheck.check(record, store);
            for (SealedCheck.Finding part : result.parts()) {
              out.println(line(part));
              counts[part.status().ordinal()]++;
            }
            if (result.digestMismatch() != null) {
              out.println(
                  "MISMATCH seq "
                      + record.seq()
                      + " "
                      + record.eventId()
                      + ": "
                      + result.digestMismatch());
              counts[3]++;
            }
          }

          @Override
          public void injected(long offset, Injected value) {
            err.println("INJECTED at offset " + offset + ": " + value.describe());
          }
        };
    ChainHead head;
    try {
      head = VerifiedRead.all(source, fromExport, publicKeys, out, err, listener);
    } catch (VerifiedRead.StoppedException e) {
      return e.exitCode();
    }
    long mismatches = counts[SealedCheck.Status.MISMATCH.ordinal()] + counts[3];
    out.println(
        head.size()
            + " records verified; sealed parts: "
            + counts[SealedCheck.Status.PRESENT.ordinal()]
            + " present and matching, "
            + counts[SealedCheck.Status.ERASED.ordinal()]
            + " erased, "
            + mismatches
            + " mismatching");
    out.flush();
    return mismatches == 0 ? AuditorCommand.OK : AuditorCommand.INVALID;
  }

  /** One line per sealed part; never its content. */
  static String line(SealedCheck.Finding part) {
    String where =
        "seq " + part.seq() + " " + part.eventId() + " " + part.pointer() + " " + part.commitment();
    return switch (part.status()) {
      case PRESENT -> "present  " + where;
      case ERASED -> "erased   " + where;
      case MISMATCH -> "MISMATCH " + where + ": " + part.why();
    };
  }

  private static LedgerRecord record(byte[] value) {
    try {
      return Json.read(value, LedgerRecord.class);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a verified record is not a ledger record", e);
    }
  }
}
