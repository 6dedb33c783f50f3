package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A ledger writer alone in its own JVM, for the crash test to kill with SIGKILL: {@code bootstrap
 * triggersTopic ledgerTopic transactionalId groupId keyFile dataDir}. Runs until killed.
 */
public final class WriterProcessMain {

  private WriterProcessMain() {}

  public static void main(String[] args) throws Exception {
    String ledger = args[2];
    WriterSettings settings =
        new WriterSettings(
            args[0],
            Map.of(args[1], LedgerRecord.Kind.TRIGGER),
            ledger,
            args[4],
            args[3],
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            new CheckpointPolicy(CheckpointPolicy.defaultOrigin(ledger), 25, Duration.ofSeconds(1)),
            Optional.of(Path.of(args[6])));
    LedgerWriter writer =
        new LedgerWriter(settings, LedgerSigner.fromKeyFile(Path.of(args[5])), Clock.systemUTC());
    writer.start();
    while (true) {
      Thread.sleep(1000);
    }
  }
}
