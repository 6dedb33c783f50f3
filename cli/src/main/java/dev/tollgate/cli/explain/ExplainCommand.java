package dev.tollgate.cli.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cli.OutputFormat;
import dev.tollgate.cli.TollgateCommand;
import dev.tollgate.cli.ledger.LedgerOptions;
import dev.tollgate.cli.ledger.LedgerSourceException;
import dev.tollgate.cli.ledger.Recorded;
import dev.tollgate.cli.ledger.SealedPayloads;
import dev.tollgate.cli.ledger.TriggerHistory;
import dev.tollgate.schemas.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate explain TRIGGER_ID}: the trigger, its decision and each check in plain words,
 * with what to do about each reason, from the ledger verified record by record. Exit 0 when shown,
 * 3 when the ledger holds nothing of the trigger, 1 when the ledger does not verify, 2 when it
 * cannot be read.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explain what was decided for a trigger and why, check by check, from the ledger.",
      "Every ledger record is verified with the ledger's public key before anything is shown."
    })
public final class ExplainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerOptions ledger;

  @Parameters(index = "0", paramLabel = "TRIGGER_ID", description = "e.g. github:<delivery id>.")
  String triggerId;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(
      names = "--sealed-store",
      paramLabel = "DIR",
      description =
          "The ledger's sealed store (<data-dir>/sealed): sealed parts of payloads are put back"
              + " from it when they match their commitments; otherwise the payload is shown as"
              + " sealed, with why.")
  Path sealedStore;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TriggerHistory history = new TriggerHistory(triggerId);
    SealedPayloads sealed;
    try {
      sealed = SealedPayloads.of(sealedStore);
    } catch (LedgerSourceException e) {
      err.println("ERROR: " + e.getMessage());
      err.flush();
      return TollgateCommand.USAGE;
    }
    LedgerOptions.Verified verified;
    try {
      verified =
          ledger.readOrStop(
              (seq, record) -> {
                Recorded r = Recorded.of(seq, record);
                if (r.triggerId().filter(triggerId::equals).isPresent()) {
                  history.add(r);
                }
              },
              out,
              err,
              "nothing of it is explained");
    } catch (LedgerOptions.StoppedException e) {
      return e.exitCode();
    }
    if (history.isEmpty()) {
      err.println(
          "NOT FOUND: the ledger holds no record of trigger "
              + triggerId
              + " ("
              + verified.size()
              + " records verified)");
      err.flush();
      return TollgateCommand.NOT_FOUND;
    }
    switch (output) {
      case JSON -> {
        ObjectNode json = Explanation.json(history, sealed);
        json.put("ledger", verified.describe());
        out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
      }
      case TEXT -> {
        Explanation.text(out, history, sealed);
        out.println();
        out.println(verified.describe() + ".");
      }
    }
    out.flush();
    return TollgateCommand.OK;
  }
}
