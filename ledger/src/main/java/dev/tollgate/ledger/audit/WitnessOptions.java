package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The witness options every auditor command that trusts a checkpoint shares ({@code verify}, {@code
 * export}, {@code prove}, {@code verify-receipt}): the witnesses' cosignature verifier keys and how
 * many of them must have cosigned. Without {@code --witness-key} nothing is required.
 */
final class WitnessOptions {

  @Option(
      names = "--witness-key",
      paramLabel = "VKEY",
      description =
          "A witness's cosignature verifier key <name>+<hex id>+<base64> (C2SP tlog-cosignature);"
              + " repeat for several. The checkpoint trusted must carry a quorum of their"
              + " cosignatures.")
  List<String> witnessKeys = new ArrayList<>();

  @Option(
      names = "--witness-quorum",
      paramLabel = "N",
      description = "How many of the --witness-key witnesses must have cosigned (default: all).")
  Integer witnessQuorum;

  /** Whether any witness is required. */
  boolean required() {
    return !witnessKeys.isEmpty();
  }

  /** The quorum the options describe; a usage error when a key or the number is wrong. */
  WitnessQuorum quorum() throws AuditSource.SourceException {
    List<WitnessKey> parsed = new ArrayList<>();
    for (String vkey : witnessKeys) {
      try {
        parsed.add(WitnessKey.parse(vkey));
      } catch (WitnessException e) {
        throw new AuditSource.SourceException("--witness-key: " + e.getMessage());
      }
    }
    int required = witnessQuorum == null ? parsed.size() : witnessQuorum;
    if (!parsed.isEmpty() && required < 1) {
      throw new AuditSource.SourceException("--witness-quorum: at least 1");
    }
    try {
      return new WitnessQuorum(parsed, required);
    } catch (IllegalArgumentException e) {
      throw new AuditSource.SourceException("--witness-quorum: " + e.getMessage());
    }
  }

  /** The names of the witnesses that cosigned, for an OK line. */
  static String names(List<Cosignature> cosignatures) {
    return cosignatures.stream().map(Cosignature::name).toList().toString();
  }

  /** The stable reason of a failed quorum check. */
  static String reason(Exception e) {
    return e instanceof WitnessException w
        ? w.reason().name()
        : ((CheckpointException) e).reason().name();
  }

  /** A failed quorum check as one line, or one JSON object. */
  static String failure(String what, Exception e, boolean json) {
    if (!json) {
      return "FAIL at " + what + ": " + reason(e) + ": " + e.getMessage();
    }
    ObjectNode result = Json.mapper().createObjectNode();
    result.put("ok", false);
    result.put("checkpoint", what);
    result.put("reason", reason(e));
    result.put("message", e.getMessage());
    return new String(CanonicalJson.bytes(result), StandardCharsets.UTF_8);
  }
}
