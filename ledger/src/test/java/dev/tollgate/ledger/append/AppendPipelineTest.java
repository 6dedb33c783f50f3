package dev.tollgate.ledger.append;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append step prepares events (signature check, payload read, canonical form, digest) on a pool
 * ahead of the chain step (issue 17 section 8, issue 19): the records are the very bytes the step
 * appends preparing each event inline, in source order whatever finishes first; an event whose
 * signature fails is recorded as before, flagged; and each record's bytes are the RFC 8785 form of
 * the record they parse to, verified as the auditor does.
 */
class AppendPipelineTest {

  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String ORIGIN = CheckpointPolicy.defaultOrigin(LEDGER);
  private static final Instant NOW = Instant.parse("2026-12-07T17:00:00Z");

  private final LedgerSigner signer = TestKeys.signer();

  @TempDir Path dir;

  @Test
  void append_parallelPreparation_appendsTheInlineRecordsInSourceOrder() throws Exception {
    List<SourceEvent> events = mixedEvents();

    List<byte[]> inline = appendAll(EventPreparation.inline(), events, PayloadSealer.off());
    List<byte[]> parallel;
    try (EventPreparation pool = EventPreparation.parallel(4)) {
      parallel = appendAll(pool, events, PayloadSealer.off());
    }

    assertThat(parallel).hasSameSizeAs(inline);
    for (int i = 0; i < inline.size(); i++) {
      assertThat(parallel.get(i)).as("record %d", i).isEqualTo(inline.get(i));
    }
    // Source order: the big first event, slowest to prepare, is still seq 0.
    assertThat(eventIds(parallel))
        .containsExactly(
            "big", "t1", "forged", "t3", "not-json", "unsigned", "escapes", "checkpoint:7");
  }

  @Test
  void append_failedSourceSignatureAmongParallelEvents_recordsItFlaggedInItsPlace()
      throws Exception {
    StagedBatch batch;
    try (EventPreparation pool = EventPreparation.parallel(2)) {
      AppendStep step = step(pool, PayloadSealer.off());
      batch = step.append(verifier(), mixedEvents(), NOW);
    }

    // forged (another key), not-json and unsigned carry no signature the trust accepts.
    assertThat(batch.unauthenticated()).isEqualTo(3);
    JsonNode forged = Chains.tree(batch.records().get(2).value());
    assertThat(forged.path("eventId").asText()).isEqualTo("forged");
    assertThat(forged.path("authentication").path("result").asText()).isEqualTo("unknown-key");
    JsonNode genuine = Chains.tree(batch.records().get(1).value());
    assertThat(genuine.path("authentication").path("result").asText()).isEqualTo("verified");
  }

  @Test
  void append_everyKindOfRecord_bytesAreTheCanonicalFormOfTheirTreeAndVerify() throws Exception {
    SealedStore store = new SealedStore(dir.resolve("sealed"));
    PayloadSealer sealer = PayloadSealer.of(List.of("trigger:/payload"), store, new SecureRandom());
    List<byte[]> records;
    try (EventPreparation pool = EventPreparation.parallel(2)) {
      records = appendAll(pool, mixedEvents(), sealer);
    }

    ChainVerifier auditor = ChainVerifier.trusting(List.of(signer.publicKey()));
    for (byte[] value : records) {
      // Not re-canonicalized differently: parsing and writing RFC 8785 again gives the same bytes.
      assertThat(CanonicalJson.bytes(Json.readTree(value))).isEqualTo(value);
      // Verified from the bytes alone, every check the auditor makes, the signature included.
      auditor.verifyNext(value);
    }
    assertThat(Chains.tree(records.get(1)).has("sealed")).isTrue();
  }

  @Test
  void start_afterClose_preparesOnTheCallersThread() {
    EventPreparation pool = EventPreparation.parallel(1);
    pool.close();
    SourceEvent event = Chains.trigger("t0", 0);

    EventPreparation.Ready ready = pool.start(List.of(event, event), EventKeys.trust()).get(1);

    assertThat(ready.prepared().event()).isSameAs(event);
    assertThat(ready.authentication().result())
        .isEqualTo(LedgerRecord.Authentication.Result.UNSIGNED);
  }

  /** A batch's worth of events whose preparations take very different times. */
  private List<SourceEvent> mixedEvents() {
    List<SourceEvent> events = new ArrayList<>();
    ObjectNode big = Chains.tree(Chains.triggerData("github:big"));
    big.put("padding", "x".repeat(200_000));
    events.add(signed(Chains.event(LedgerRecord.Kind.TRIGGER, "big", 0, bytes(big))));
    events.add(signed(Chains.trigger("t1", 1)));
    events.add(EventKeys.signed(Chains.trigger("forged", 2), EventKeys.forger()));
    events.add(signed(Chains.trigger("t3", 3)));
    events.add(
        EventKeys.unsigned(
            Chains.event(
                LedgerRecord.Kind.TRIGGER,
                "not-json",
                4,
                "{not json".getBytes(StandardCharsets.UTF_8))));
    events.add(EventKeys.unsigned(Chains.trigger("unsigned", 5)));
    // Not canonical as sent: unsorted keys, escapes, non-ASCII, a key sorting by UTF-16 units.
    String odd =
        "{\"z\":1,\"a\":\"\\u00e9\\n\\\"q\\\"\",\"\\ud83d\\ude00\":true,\"\\ufb01\":[1,2.5e0],"
            + "\"triggerId\":\"github:escapes\",\"payload\":{\"b\":null,\"a\":\"/\"}}";
    events.add(
        signed(
            Chains.event(
                LedgerRecord.Kind.TRIGGER, "escapes", 6, odd.getBytes(StandardCharsets.UTF_8))));
    return events;
  }

  private static SourceEvent signed(SourceEvent event) {
    return EventKeys.signed(event, EventKeys.gateway());
  }

  private static byte[] bytes(ObjectNode tree) {
    return CanonicalJson.bytes(tree);
  }

  private List<byte[]> appendAll(
      EventPreparation preparation, List<SourceEvent> events, PayloadSealer sealer)
      throws Exception {
    AppendStep step = step(preparation, sealer);
    LedgerVerifier chain = verifier();
    StagedBatch batch = step.append(chain, events, NOW);
    // A checkpoint closes the batch: the clock says the interval passed.
    return batch.records().stream().map(StagedRecord::value).toList();
  }

  private AppendStep step(EventPreparation preparation, PayloadSealer sealer) {
    return new AppendStep(
        signer,
        signer,
        List.of(),
        new CheckpointPolicy(ORIGIN, 1000, Duration.ofSeconds(1)),
        EventKeys.trust(),
        sealer,
        preparation,
        Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC));
  }

  private LedgerVerifier verifier() {
    return LedgerVerifier.trusting(
        List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
  }

  private static List<String> eventIds(List<byte[]> records) {
    return records.stream().map(v -> Chains.tree(v).path("eventId").asText()).toList();
  }
}
