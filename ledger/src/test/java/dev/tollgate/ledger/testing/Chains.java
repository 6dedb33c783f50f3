package dev.tollgate.ledger.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Ledger records built in memory, and the ways tests take them apart. */
public final class Chains {

  private static final Instant TIME = Instant.parse("2026-11-22T09:14:03.644Z");

  private Chains() {}

  /** The reactor's {@code schemas/examples} file with this name. */
  public static Path example(String name) {
    return Path.of(System.getProperty("tollgate.root"), "schemas", "examples", name);
  }

  /** A trigger event's data: the GitHub push example under another trigger id. */
  public static byte[] triggerData(String triggerId) {
    ObjectNode trigger = (ObjectNode) readExample("trigger.github-push.json");
    trigger.put("triggerId", triggerId);
    return CanonicalJson.bytes(trigger);
  }

  /** A decision event's data: the admitted example for another trigger and decision id. */
  public static byte[] decisionData(String triggerId, String decisionId) {
    ObjectNode decision = (ObjectNode) readExample("decision.admitted.json");
    decision.put("triggerId", triggerId);
    decision.put("decisionId", decisionId);
    return CanonicalJson.bytes(decision);
  }

  /** A trigger event with this id, read at this offset of a trigger topic. */
  public static SourceEvent trigger(String eventId, long offset) {
    return new SourceEvent(
        LedgerRecord.Kind.TRIGGER,
        eventId,
        "dev.tollgate.trigger.v1",
        new LedgerRecord.SourcePosition("tollgate.triggers.v1", 0, offset),
        triggerData("github:" + eventId));
  }

  /** Records for these events, chained from seq 0 and signed. */
  public static List<byte[]> build(RecordSigner signer, List<SourceEvent> events) {
    List<byte[]> values = new ArrayList<>();
    ChainHead head = ChainHead.EMPTY;
    for (SourceEvent event : events) {
      byte[] value =
          RecordBuilder.build(
              head, event, EventKeys.genuine(event), TIME.plusMillis(head.size()), signer);
      values.add(value);
      head = head.append(LedgerRecord.recordHash(tree(value)));
    }
    return values;
  }

  /** A chain of {@code size} trigger records with event ids {@code event-0}, {@code event-1}... */
  public static List<byte[]> build(RecordSigner signer, int size) {
    List<SourceEvent> events = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      events.add(trigger("event-" + i, i));
    }
    return build(signer, events);
  }

  /**
   * {@code events} trigger records with a checkpoint record after every {@code every} of them, as
   * the writer appends them, each verified on the way.
   */
  public static List<byte[]> buildWithCheckpoints(
      LedgerSigner signer, int events, int every, String origin) {
    LedgerVerifier ledger =
        LedgerVerifier.trusting(
            List.of(signer.publicKey()), Optional.of(origin), MerkleTree.inMemory());
    CheckpointIssuer issuer = new CheckpointIssuer(origin, signer);
    List<byte[]> values = new ArrayList<>();
    try {
      for (int i = 0; i < events; i++) {
        ChainHead head = ledger.head();
        byte[] value =
            RecordBuilder.build(
                head,
                trigger("event-" + i, i),
                EventKeys.genuine(trigger("event-" + i, i)),
                TIME.plusMillis(head.size()),
                signer);
        ledger.verifyNext(value);
        values.add(value);
        if ((i + 1) % every == 0) {
          head = ledger.head();
          Checkpoint checkpoint = issuer.issue(ledger.tree(), head.size(), ledger.lastCheckpoint());
          byte[] record =
              RecordBuilder.checkpoint(
                  head, checkpoint.toPayload(), TIME.plusMillis(head.size()), signer);
          ledger.verifyNext(record);
          values.add(record);
        }
      }
    } catch (ChainException | CheckpointException e) {
      throw new IllegalStateException(e);
    }
    return values;
  }

  /**
   * Records for these events, verified on the way, with a checkpoint record after the first {@code
   * checkpointAfter} of them (as the writer appends it).
   */
  public static List<byte[]> buildWithCheckpointAfter(
      LedgerSigner signer, List<SourceEvent> events, int checkpointAfter, String origin) {
    LedgerVerifier ledger =
        LedgerVerifier.trusting(
            List.of(signer.publicKey()), Optional.of(origin), MerkleTree.inMemory());
    CheckpointIssuer issuer = new CheckpointIssuer(origin, signer);
    List<byte[]> values = new ArrayList<>();
    try {
      for (int i = 0; i < events.size(); i++) {
        ChainHead head = ledger.head();
        byte[] value =
            RecordBuilder.build(
                head,
                events.get(i),
                EventKeys.genuine(events.get(i)),
                TIME.plusMillis(head.size()),
                signer);
        ledger.verifyNext(value);
        values.add(value);
        if (i + 1 == checkpointAfter) {
          head = ledger.head();
          Checkpoint checkpoint = issuer.issue(ledger.tree(), head.size(), ledger.lastCheckpoint());
          byte[] record =
              RecordBuilder.checkpoint(
                  head, checkpoint.toPayload(), TIME.plusMillis(head.size()), signer);
          ledger.verifyNext(record);
          values.add(record);
        }
      }
    } catch (ChainException | CheckpointException e) {
      throw new IllegalStateException(e);
    }
    return values;
  }

  /** A source event of this kind, id and data, read at this offset of the kind's default topic. */
  public static SourceEvent event(
      LedgerRecord.Kind kind, String eventId, long offset, byte[] data) {
    return new SourceEvent(
        kind,
        eventId,
        "dev.tollgate." + kind.wire() + ".v1",
        new LedgerRecord.SourcePosition("tollgate." + kind.wire() + "s.v1", 0, offset),
        data);
  }

  /** The record with its payload replaced and its payload digest, but not its signature, fixed. */
  public static void replacePayload(ObjectNode record, JsonNode payload) {
    record.set("payload", payload);
    record.put("payloadDigest", Sha256.digest(CanonicalJson.bytes(payload)));
  }

  /** The record as a tree. */
  public static ObjectNode tree(byte[] value) {
    try {
      return (ObjectNode) Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The record after {@code edit}, signed again with {@code signer}: a validly signed lie. */
  public static byte[] resign(byte[] value, RecordSigner signer, Consumer<ObjectNode> edit) {
    ObjectNode tree = tree(value);
    edit.accept(tree);
    tree.remove(LedgerRecord.SIGNATURE_FIELD);
    tree.put(
        LedgerRecord.SIGNATURE_FIELD,
        Base64.getEncoder().encodeToString(signer.sign(LedgerRecord.signedBytes(tree))));
    return CanonicalJson.bytes(tree);
  }

  /** The record after {@code edit}, signature untouched. */
  public static byte[] edit(byte[] value, Consumer<ObjectNode> edit) {
    ObjectNode tree = tree(value);
    edit.accept(tree);
    return CanonicalJson.bytes(tree);
  }

  private static JsonNode readExample(String name) {
    try {
      return Json.readTree(Files.readAllBytes(example(name)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException(name + " is not JSON", e);
    }
  }
}
