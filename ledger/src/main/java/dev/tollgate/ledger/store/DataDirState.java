package dev.tollgate.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code state.json} of a {@link LedgerDataDir}: what its files hold as of the last committed
 * transaction (size, head hash, each file's committed length, the keys in force, the last
 * checkpoint with the key that signed it, the checkpoint count, the source-offset accounting, the
 * ledger topic). Replaced atomically after every commit, so it is the commit point.
 */
record DataDirState(
    String ledgerTopic,
    ChainHead head,
    long offsetsBytes,
    long eventIdsBytes,
    long linksBytes,
    List<LedgerPublicKey> keysInForce,
    Optional<Checkpoint> checkpoint,
    Optional<LedgerPublicKey> checkpointKey,
    long checkpointCount,
    SourceAccounting.State sources) {

  /** Format 4: the links file states each record's authentication and decision. */
  static final int FORMAT = 4;

  static final String FILE = "state.json";

  /**
   * Reads the state of {@code directory}, which must be of {@code ledgerTopic}.
   *
   * @throws InvalidStateException when it is not this format or topic, or not readable
   */
  static DataDirState read(Path directory, String ledgerTopic)
      throws IOException, InvalidStateException {
    JsonNode state;
    try {
      state = Json.readTree(Files.readAllBytes(directory.resolve(FILE)));
    } catch (MalformedJsonException e) {
      throw new InvalidStateException("its state is not JSON");
    }
    if (state.path("format").asInt() != FORMAT
        || !state.path("ledgerTopic").asText().equals(ledgerTopic)) {
      throw new InvalidStateException("it is not format " + FORMAT + " of topic " + ledgerTopic);
    }
    long stored = state.path("size").asLong(-1);
    long offsetsBytes = state.path("offsetsBytes").asLong(-1);
    long eventIdsBytes = state.path("eventIdsBytes").asLong(-1);
    long linksBytes = state.path("linksBytes").asLong(-1);
    if (stored < 0 || offsetsBytes != stored * Long.BYTES || eventIdsBytes < 0 || linksBytes < 0) {
      throw new InvalidStateException("its lengths do not add up");
    }
    ChainHead head =
        stored == 0 ? ChainHead.EMPTY : new ChainHead(stored, state.path("headHash").asText());
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (JsonNode key : state.path("keysInForce")) {
      keys.add(publicKey(key.asText()));
    }
    if (keys.isEmpty()) {
      throw new InvalidStateException("it names no key in force");
    }
    Optional<Checkpoint> checkpoint = Optional.empty();
    Optional<LedgerPublicKey> checkpointKey = Optional.empty();
    JsonNode checkpointNode = state.path("checkpoint");
    if (checkpointNode.isObject()) {
      LedgerPublicKey key = publicKey(state.path("checkpointKey").asText());
      checkpointKey = Optional.of(key);
      try {
        checkpoint =
            Optional.of(
                Checkpoint.fromPayload(
                    checkpointNode, NoteKey.of(checkpointNode.path("origin").asText(), key)));
      } catch (CheckpointException | IllegalArgumentException e) {
        throw new InvalidStateException("its last checkpoint does not verify: " + e.getMessage());
      }
    }
    SourceAccounting.State sources;
    try {
      sources = SourceAccounting.State.fromJson(state.path("sourceAccounting"));
    } catch (IllegalArgumentException e) {
      throw new InvalidStateException("its source accounting is not readable: " + e.getMessage());
    }
    return new DataDirState(
        ledgerTopic,
        head,
        offsetsBytes,
        eventIdsBytes,
        linksBytes,
        List.copyOf(keys),
        checkpoint,
        checkpointKey,
        state.path("checkpointCount").asLong(),
        sources);
  }

  /** Replaces {@code state.json} in {@code directory} with this state, atomically. */
  void write(Path directory) throws IOException {
    ObjectNode state = Json.mapper().createObjectNode();
    state.put("format", FORMAT);
    state.put("ledgerTopic", ledgerTopic);
    state.put("size", head.size());
    if (!head.isEmpty()) {
      state.put("headHash", head.headHash());
    }
    state.put("offsetsBytes", offsetsBytes);
    state.put("eventIdsBytes", eventIdsBytes);
    state.put("linksBytes", linksBytes);
    ArrayNode keys = state.putArray("keysInForce");
    keysInForce.stream()
        .sorted(Comparator.comparing(LedgerPublicKey::keyId))
        .forEach(k -> keys.add(Base64.getEncoder().encodeToString(k.raw())));
    if (checkpoint.isPresent() && checkpointKey.isPresent()) {
      state.set("checkpoint", checkpoint.get().toPayload());
      state.put("checkpointKey", Base64.getEncoder().encodeToString(checkpointKey.get().raw()));
    }
    state.put("checkpointCount", checkpointCount);
    state.set("sourceAccounting", sources.toJson());
    Path temporary = directory.resolve(FILE + ".tmp");
    Files.write(temporary, CanonicalJson.bytes(state));
    Files.move(
        temporary,
        directory.resolve(FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** As a constructor argument: keys in any order, copied. */
  static List<LedgerPublicKey> keys(Collection<LedgerPublicKey> keysInForce) {
    return List.copyOf(keysInForce);
  }

  private static LedgerPublicKey publicKey(String base64) throws InvalidStateException {
    try {
      return LedgerPublicKey.fromRaw(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException | PublicKeyFormatException e) {
      throw new InvalidStateException("a stored key is not an Ed25519 key");
    }
  }

  /** A state file, or files, that cannot be read back consistently: the directory is rebuilt. */
  static final class InvalidStateException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidStateException(String message) {
      super(message);
    }
  }
}
