package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What {@code verify} prints as its result: the {@code OK: ...} or {@code FAIL at seq <n>: ...}
 * line, or with {@code --json} one canonical JSON object.
 */
final class VerifyReport {

  private VerifyReport() {}

  /**
   * How the records were authenticated.
   *
   * @param mode the mode of the pass that verified the ledger
   * @param verifiedIndividually record signatures verified one by one
   * @param fellBackFrom why the checkpoint pass stopped, when the ledger was then verified again
   *     with every signature; else null
   */
  record Signatures(SignatureMode mode, long verifiedIndividually, ChainException fellBackFrom) {

    String line(long records) {
      if (mode == SignatureMode.CHECKPOINTS) {
        return "; signatures: "
            + verifiedIndividually
            + " verified individually, "
            + (records - verifiedIndividually)
            + " authenticated by checkpoints";
      }
      return "; signatures: every record's verified individually ("
          + (fellBackFrom == null
              ? "--every-signature"
              : "the checkpoint pass stopped at seq "
                  + fellBackFrom.seq()
                  + ": "
                  + fellBackFrom.reason())
          + ")";
    }

    ObjectNode json() {
      ObjectNode node = Json.mapper().createObjectNode();
      node.put("mode", mode.wire());
      node.put("verifiedIndividually", verifiedIndividually);
      if (fellBackFrom != null) {
        ObjectNode from = node.putObject("checkpointPassStopped");
        from.put("seq", fellBackFrom.seq());
        from.put("reason", fellBackFrom.reason().name());
      }
      return node;
    }
  }

  /** The result of a chain that failed at {@code e.seq()}. */
  static String failure(ChainException e, InjectedValues injected, boolean json) {
    if (!json) {
      return "FAIL at seq " + e.seq() + ": " + e.describe();
    }
    ObjectNode result = Json.mapper().createObjectNode();
    result.put("ok", false);
    result.put("seq", e.seq());
    result.put("reason", e.reason().name());
    result.put("message", e.getMessage());
    if (!injected.isEmpty()) {
      result.set("injected", injected.toJson());
    }
    return new String(CanonicalJson.bytes(result), StandardCharsets.UTF_8);
  }

  /**
   * The JSON result of a chain that verified.
   *
   * @param witnessed the cosignatures of {@code seen}, or null when no witness was required
   */
  static String verifiedJson(
      LedgerVerifier ledger,
      Completeness completeness,
      List<Cosignature> witnessed,
      String seen,
      InjectedValues injected,
      Signatures signatures) {
    ChainHead head = ledger.head();
    ObjectNode result = Json.mapper().createObjectNode();
    result.put("ok", completeness.complete());
    result.set("signatures", signatures.json());
    result.set("sources", completeness.json());
    result.put("size", head.size());
    if (!head.isEmpty()) {
      result.put("headSeq", head.headSeq());
      result.put("headHash", head.headHash());
      result.put("rootHash", Checkpoint.digestOf(ledger.tree().rootHash(head.size())));
    }
    result.put("checkpoints", ledger.checkpointCount());
    ledger.lastCheckpoint().ifPresent(c -> result.set("latestCheckpoint", c.toPayload()));
    if (witnessed != null) {
      result.put("witnessedSize", SeenCheckpoints.witnessedSize(seen));
      witnessed.forEach(c -> result.withArray("witnesses").add(c.name()));
    }
    if (!injected.isEmpty()) {
      result.set("injected", injected.toJson());
    }
    return new String(CanonicalJson.bytes(result), StandardCharsets.UTF_8);
  }

  /**
   * The {@code OK: ...} line of a chain that verified.
   *
   * @param witnessed the cosignatures of {@code seen}, or null when no witness was required
   */
  static String verifiedLine(
      LedgerVerifier ledger,
      List<Cosignature> witnessed,
      String seen,
      InjectedValues injected,
      Signatures signatures) {
    ChainHead head = ledger.head();
    return "OK: "
        + head.size()
        + " records verified, "
        + (head.isEmpty() ? "empty ledger" : "head seq " + head.headSeq() + " " + head.headHash())
        + ledger
            .lastCheckpoint()
            .map(c -> ", " + ledger.checkpointCount() + " checkpoints, latest " + describe(c))
            .orElse("")
        + (witnessed == null
            ? ""
            : ", witnessed up to size "
                + SeenCheckpoints.witnessedSize(seen)
                + " by "
                + WitnessOptions.names(witnessed))
        + signatures.line(head.size())
        + injected.summary();
  }

  private static String describe(Checkpoint checkpoint) {
    return checkpoint.origin() + " size " + checkpoint.size() + " " + checkpoint.rootDigest();
  }
}
