package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.privacy.SealedStoreException;
import dev.tollgate.schemas.json.Sha256;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code erase}: honours an erasure request by deleting sealed payload parts from a sealed store,
 * by commitment or by event id. Run it where the store lives (the ledger's data volume) and on
 * every copy of it. The ledger's records, chain and checkpoints are untouched and keep verifying;
 * {@code sealed} then reports the parts as erased. Exit 3 when nothing matched.
 */
@Command(
    name = "erase",
    mixinStandardHelpOptions = true,
    description = "Erase sealed payload parts (personal data) from a sealed store.")
public final class EraseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--sealed-store",
      paramLabel = "DIR",
      required = true,
      description = "The sealed store: the ledger's <data-dir>/sealed.")
  Path sealedStore;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  /** What to erase. */
  static final class Target {
    @Option(
        names = "--commitment",
        paramLabel = "sha256:HEX",
        description = "The commitment a record's sealed[] names.")
    List<String> commitments = new ArrayList<>();

    @Option(
        names = "--event-id",
        paramLabel = "ID",
        description = "Every sealed part of this event (a trigger id, for example).")
    List<String> eventIds = new ArrayList<>();
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SealedStore store = new SealedStore(sealedStore);
    int erased = 0;
    try {
      for (String commitment : target.commitments) {
        if (!Sha256.isDigest(commitment)) {
          err.println("ERROR: --commitment " + commitment + " is not sha256:<64 lowercase hex>");
          err.flush();
          return AuditorCommand.USAGE;
        }
        if (store.erase(commitment)) {
          out.println("erased " + commitment);
          erased++;
        } else {
          out.println("not in the store: " + commitment);
        }
      }
      for (String eventId : target.eventIds) {
        List<String> parts = store.eraseEvent(eventId);
        parts.forEach(c -> out.println("erased " + c + " of " + eventId));
        if (parts.isEmpty()) {
          out.println("no sealed part of " + eventId + " in the store");
        }
        erased += parts.size();
      }
    } catch (IOException | SealedStoreException e) {
      out.flush();
      err.println("ERROR: " + e.getMessage());
      err.flush();
      return AuditorCommand.USAGE;
    }
    out.flush();
    return erased > 0 ? AuditorCommand.OK : AuditorCommand.NOT_FOUND;
  }
}
