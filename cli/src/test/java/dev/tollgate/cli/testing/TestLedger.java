package dev.tollgate.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.signing.SigningKeyException;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ledger written the way the ledger writes one (its own {@link RecordBuilder}, signed with the
 * fixed test key {@code ledger/ledger-key.pem}), and exported the way the auditor's {@code export}
 * lays it out ({@code records.jsonl}, {@code manifest.json}).
 */
public final class TestLedger {

  /** The public key the ledger verifies under. */
  public static final Path PUBLIC_KEY = Run.resource("ledger/ledger-key.pub.pem");

  /** A key that signed nothing of it. */
  public static final Path OTHER_PUBLIC_KEY = Run.resource("ledger/other-key.pub.pem");

  private static final String SOME_KEY_ID = "ab".repeat(32);

  /** 64 bytes of signature in canonical padded base64, as an authentication carries one. */
  private static final String SOME_SIGNATURE = "A".repeat(86) + "==";

  private final LedgerSigner signer;
  private final List<byte[]> records = new ArrayList<>();
  private final Map<String, Long> offsets = new HashMap<>();
  private ChainHead head = ChainHead.EMPTY;
  private PayloadSealer sealer = PayloadSealer.off();

  public TestLedger() {
    try {
      signer = LedgerSigner.fromKeyFile(Run.resource("ledger/ledger-key.pem"));
    } catch (SigningKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the ledger found when it checked an event's signature. */
  public enum Signed {
    /** Signed by the key trusted for its topic. */
    VERIFIED,
    /** Carried no signature. */
    UNSIGNED
  }

  /**
   * Seals the webhook body of every trigger recorded from now on ({@code trigger:/payload}, the
   * ledger's default), keeping the parts in the sealed store in {@code dir}, as the ledger does.
   */
  public TestLedger sealingTriggersInto(Path dir) {
    sealer =
        PayloadSealer.of(List.of("trigger:/payload"), new SealedStore(dir), new SecureRandom());
    return this;
  }

  /** Records a trigger event (its JSON) as read from the triggers topic. */
  public TestLedger trigger(JsonNode event, Signed signed) {
    return append(
        LedgerRecord.Kind.TRIGGER,
        "tollgate.triggers.v1",
        "dev.tollgate.trigger.v1",
        event.path("triggerId").asText(),
        event,
        authentication("gateway", signed, event, "dev.tollgate.trigger.v1"));
  }

  /** Records a decision event (its JSON), signed by the verifier. */
  public TestLedger decision(JsonNode event) {
    return append(
        LedgerRecord.Kind.DECISION,
        "tollgate.decisions.v1",
        "dev.tollgate.decision.v1",
        event.path("decisionId").asText(),
        event,
        authentication("verifier", Signed.VERIFIED, event, "dev.tollgate.decision.v1"));
  }

  /** Records a run event (its JSON), signed by the run watch. */
  public TestLedger run(JsonNode event) {
    return append(
        LedgerRecord.Kind.RUN,
        "tollgate.runs.v1",
        "dev.tollgate.run.v1",
        event.path("runUid").asText(),
        event,
        authentication("run-watch", Signed.VERIFIED, event, "dev.tollgate.run.v1"));
  }

  private TestLedger append(
      LedgerRecord.Kind kind,
      String topic,
      String type,
      String eventId,
      JsonNode event,
      LedgerRecord.Authentication authentication) {
    long offset = offsets.merge(topic, 1L, Long::sum) - 1;
    SourceEvent source =
        new SourceEvent(
            kind,
            eventId,
            type,
            new LedgerRecord.SourcePosition(topic, 0, offset),
            CanonicalJson.bytes(event));
    byte[] value =
        RecordBuilder.build(
            head,
            sealer.seal(RecordBuilder.prepare(source)),
            authentication,
            Instant.parse("2026-11-22T09:15:00Z"),
            signer,
            null);
    try {
      head = new ChainHead(head.size() + 1, LedgerRecord.recordHash(Json.readTree(value)));
    } catch (MalformedJsonException e) {
      throw new IllegalStateException(e);
    }
    records.add(value);
    return this;
  }

  /**
   * What the ledger records of an event's signature: for a signed one, the object the signature
   * covers (CloudEvents attributes, the signer's key id, the digest of the data) and a signature of
   * the right form. The ledger vouches for it; the commands rely on the ledger's word.
   */
  private static LedgerRecord.Authentication authentication(
      String signer, Signed signed, JsonNode event, String type) {
    return switch (signed) {
      case VERIFIED -> {
        ObjectNode object = Json.mapper().createObjectNode();
        object.put("specversion", "1.0");
        object.put("id", event.path("triggerId").asText("x"));
        object.put("type", type);
        object.put("source", "tollgate/test");
        object.put("tollgatesigner", SOME_KEY_ID);
        object.put("datadigest", Sha256.digest(CanonicalJson.bytes(event)));
        yield new LedgerRecord.Authentication(
            signer,
            LedgerRecord.Authentication.Result.VERIFIED,
            SOME_KEY_ID,
            null,
            object,
            SOME_SIGNATURE);
      }
      case UNSIGNED ->
          new LedgerRecord.Authentication(
              signer,
              LedgerRecord.Authentication.Result.UNSIGNED,
              null,
              "the event carries no signature",
              null,
              null);
    };
  }

  /** The stored record values, in seq order. */
  public List<byte[]> records() {
    return List.copyOf(records);
  }

  /** Writes {@code records} as an export into {@code dir}, its manifest stating their number. */
  public static Path export(Path dir, List<byte[]> records) throws IOException {
    Files.createDirectories(dir);
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (byte[] r : records) {
      lines.write(r);
      lines.write('\n');
    }
    Files.write(dir.resolve("records.jsonl"), lines.toByteArray());
    ObjectNode manifest = Json.mapper().createObjectNode();
    manifest.put("format", "tollgate-ledger-export/1");
    manifest.put("size", records.size());
    Files.write(dir.resolve("manifest.json"), CanonicalJson.bytes(manifest));
    return dir;
  }

  /**
   * Writes this ledger as an export into {@code dir} with record {@code index}'s text edited
   * ({@code from} replaced by {@code to}) after it was signed: a record that does not verify.
   */
  public Path exportAltered(Path dir, int index, String from, String to) throws IOException {
    List<byte[]> altered = new ArrayList<>(records);
    altered.set(
        index,
        new String(altered.get(index), StandardCharsets.UTF_8)
            .replace(from, to)
            .getBytes(StandardCharsets.UTF_8));
    return export(dir, altered);
  }

  /** Writes this ledger as an export into {@code dir}. */
  public Path export(Path dir) throws IOException {
    return export(dir, records);
  }
}
