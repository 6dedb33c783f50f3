package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.ledger.witness.WitnessClient;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.ledger.witness.WitnessQuorum;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code verify} finds the witnessed checkpoints it holds a ledger to when the auditor gives
 * no {@code --checkpoint}: the best cosigned checkpoint of an export, or the latest checkpoint each
 * {@code --witness-url} cosigned.
 */
final class WitnessAnchors {

  private WitnessAnchors() {}

  /**
   * The largest checkpoint of the export's {@code cosignatures/} that carries the quorum, as its
   * path relative to the export. A cosignature line by a configured witness that does not verify
   * fails the export whatever else verifies; none with a quorum fails it naming the best one found.
   */
  static String exportAnchor(Path export, WitnessQuorum quorum)
      throws IOException, WitnessException, CheckpointException {
    List<Long> sizes = ExportDirectory.cosignedSizes(export);
    WitnessException best = null;
    String found = null;
    for (long size : sizes) {
      String name = ExportDirectory.COSIGNATURES + "/" + size + CosignatureStore.SUFFIX;
      String note = Files.readString(export.resolve(name), StandardCharsets.UTF_8);
      try {
        quorum.verify(note);
        found = name;
      } catch (WitnessException e) {
        if (e.reason() != WitnessException.Reason.QUORUM_NOT_MET) {
          throw new WitnessException(e.reason(), name + ": " + e.getMessage());
        }
        best = e;
      }
    }
    if (found != null) {
      return found;
    }
    throw new WitnessException(
        WitnessException.Reason.QUORUM_NOT_MET,
        sizes.isEmpty()
            ? "the export holds no cosigned checkpoint (cosignatures/) and no --checkpoint was"
                + " given: nothing shows the witnesses saw this ledger"
            : "no checkpoint in the export's cosignatures/ carries the quorum (the latest: "
                + best.getMessage()
                + "); the witnesses did not cosign this ledger, or it was rolled back or forked"
                + " since they did");
  }

  /**
   * Asks each of {@code witnessUrls} for the latest checkpoint it cosigned of this ledger's origin
   * ({@code origin}, else the one of the kept or exported checkpoints), verified to carry that
   * witness's cosignature. Keyed by the witness's name.
   *
   * @param origin {@code --origin}, or null
   * @param seen the checkpoint note kept by the auditor, or null
   * @param export the export verified, or null
   */
  static Map<String, String> askWitnesses(
      List<URI> witnessUrls, WitnessQuorum quorum, String origin, String seen, Path export)
      throws AuditSource.SourceException, WitnessException {
    List<WitnessKey> keys = quorum.witnesses();
    if (witnessUrls.size() > keys.size()) {
      throw new AuditSource.SourceException(
          "each --witness-url needs the --witness-key of that witness, in the same position");
    }
    String ledgerOrigin = origin;
    try {
      if (ledgerOrigin == null && seen != null) {
        ledgerOrigin = seen.substring(0, seen.indexOf('\n'));
      }
      if (ledgerOrigin == null && export != null) {
        for (Path file : ExportDirectory.checkpointFiles(export)) {
          String note = Files.readString(file, StandardCharsets.UTF_8);
          ledgerOrigin = note.substring(0, Math.max(0, note.indexOf('\n')));
          break;
        }
      }
    } catch (IOException e) {
      throw new AuditSource.SourceException("cannot read the checkpoints of " + export);
    }
    if (ledgerOrigin == null || ledgerOrigin.isEmpty()) {
      throw new AuditSource.SourceException("--witness-url needs --origin");
    }
    Map<String, String> latest = new LinkedHashMap<>();
    for (int i = 0; i < witnessUrls.size(); i++) {
      WitnessKey key = keys.get(i);
      Optional<String> note =
          new WitnessClient(witnessUrls.get(i), key, Duration.ofSeconds(30)).latest(ledgerOrigin);
      if (note.isEmpty()) {
        throw new WitnessException(
            WitnessException.Reason.QUORUM_NOT_MET,
            "witness " + key.name() + " has cosigned no checkpoint of " + ledgerOrigin);
      }
      latest.put(key.name(), note.get());
    }
    return latest;
  }
}
