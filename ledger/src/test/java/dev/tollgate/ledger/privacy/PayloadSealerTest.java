package dev.tollgate.ledger.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealing a trigger's webhook body, checking what remains, and erasing it: the record verifies
 * before and after, a present part matches its commitment, an erased one shows as erased.
 */
class PayloadSealerTest {

  private final LedgerSigner signer = TestKeys.signer();

  @TempDir Path dir;

  private SealedStore store() {
    return new SealedStore(dir.resolve("sealed"));
  }

  private PayloadSealer sealer(SealedStore store) {
    return PayloadSealer.of(List.of("trigger:/payload"), store, new SecureRandom());
  }

  private LedgerRecord record(byte[] value) throws Exception {
    return Json.read(value, LedgerRecord.class);
  }

  private byte[] build(PayloadSealer sealer, SourceEvent event) {
    return RecordBuilder.build(
        ChainHead.EMPTY,
        sealer.seal(RecordBuilder.prepare(event)),
        EventKeys.genuine(event),
        Instant.parse("2026-11-22T09:20:41Z"),
        signer,
        null);
  }

  @Test
  void seal_triggerWithWebhookBody_recordCarriesCommitmentAndVerifies() throws Exception {
    SealedStore store = store();
    SourceEvent event = Chains.trigger("d-1", 3);

    byte[] value = build(sealer(store), event);

    LedgerRecord record = record(value);
    assertThat(record.sealed()).hasSize(1);
    String commitment = record.sealed().get(0).commitment();
    assertThat(record.payload().path("payload").asText()).isEqualTo(commitment);
    assertThat(record.payloadDigest()).isEqualTo(Sha256.digest(event.data()));
    // The personal data is not in the record's bytes; what audit needs is.
    JsonNode body = Json.readTree(event.data()).path("payload");
    String stored = new String(value, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(body.path("repository").has("full_name")).isTrue();
    assertThat(stored).doesNotContain("full_name");
    assertThat(record.payload().path("repository").asText())
        .isEqualTo(Json.readTree(event.data()).path("repository").asText());
    ChainVerifier.trusting(List.of(signer.publicKey())).verifyNext(value);

    SealedCheck.Result check = SealedCheck.check(record, store);
    assertThat(check.parts())
        .extracting(SealedCheck.Finding::status)
        .containsExactly(SealedCheck.Status.PRESENT);
    assertThat(check.digestChecked()).isTrue();
    assertThat(check.ok()).isTrue();
    SealedPart part = store.get(commitment).orElseThrow();
    assertThat(part.content()).isEqualTo(body);
    assertThat(part.toString()).doesNotContain(body.toString());
  }

  @Test
  void erase_eventId_partGoneRecordStillVerifiesAndShowsErased() throws Exception {
    SealedStore store = store();
    byte[] value = build(sealer(store), Chains.trigger("d-2", 4));
    LedgerRecord record = record(value);

    List<String> erased = store.eraseEvent(record.eventId());

    assertThat(erased).containsExactly(record.sealed().get(0).commitment());
    ChainVerifier.trusting(List.of(signer.publicKey())).verifyNext(value);
    SealedCheck.Result check = SealedCheck.check(record, store);
    assertThat(check.parts())
        .extracting(SealedCheck.Finding::status)
        .containsExactly(SealedCheck.Status.ERASED);
    assertThat(check.digestChecked()).isFalse();
    assertThat(check.ok()).isTrue();
  }

  @Test
  void check_storeEntryWithAlteredContent_mismatch() throws Exception {
    SealedStore store = store();
    LedgerRecord record = record(build(sealer(store), Chains.trigger("d-3", 5)));
    String commitment = record.sealed().get(0).commitment();
    SealedPart part = store.get(commitment).orElseThrow();
    ObjectNode altered = (ObjectNode) part.content().deepCopy();
    altered.put("ref", "refs/heads/other");
    Files.write(
        dir.resolve("sealed").resolve(commitment.substring(7) + ".json"),
        CanonicalJson.bytes(
            Json.toTree(
                new SealedPart(commitment, part.eventId(), part.pointer(), part.salt(), altered))));

    SealedCheck.Result check = SealedCheck.check(record, store);

    assertThat(check.ok()).isFalse();
    assertThat(check.parts().get(0).status()).isEqualTo(SealedCheck.Status.MISMATCH);
    assertThat(check.parts().get(0).why()).contains("not the commitment");
  }

  @Test
  void seal_truncatedTriggerWithoutBody_sealsNothing() throws Exception {
    SourceEvent event = Chains.trigger("d-4", 6);
    ObjectNode data = (ObjectNode) Json.readTree(event.data());
    data.remove("payload");
    SourceEvent truncated =
        new SourceEvent(
            event.kind(),
            event.eventId(),
            event.eventType(),
            event.source(),
            CanonicalJson.bytes(data));

    LedgerRecord record = record(build(sealer(store()), truncated));

    assertThat(record.sealed()).isEmpty();
    assertThat(record.payload()).isEqualTo(data);
  }

  @Test
  void seal_decisionWhenOnlyTriggersAreSealed_unchanged() throws Exception {
    RecordBuilder.Prepared decision =
        RecordBuilder.prepare(
            new SourceEvent(
                LedgerRecord.Kind.DECISION,
                "dec-1",
                "dev.tollgate.decision.v1",
                new LedgerRecord.SourcePosition("tollgate.decisions.v1", 0, 1),
                Chains.decisionData("github:1", "dec-1")));

    assertThat(sealer(store()).seal(decision)).isSameAs(decision);
  }

  @Test
  void seal_storeCannotKeepThePart_failsAndNothingIsBuilt() throws IOException {
    Files.writeString(dir.resolve("sealed"), "a file where the directory should be");

    assertThatThrownBy(() -> build(sealer(store()), Chains.trigger("d-5", 7)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot keep sealed part");
  }

  @Test
  void of_specNamingTheLedgersOwnKindOrNestedPointer_refused() {
    assertThatThrownBy(() -> PayloadSealer.of(List.of("checkpoint:/note"), store(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no source kind");
    assertThatThrownBy(
            () ->
                PayloadSealer.of(List.of("trigger:/payload", "trigger:/payload/x"), store(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is inside");
    assertThatThrownBy(() -> PayloadSealer.of(List.of("trigger"), store(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verify_sealedRecordWithCommitmentRemovedFromPayload_refused() throws Exception {
    byte[] value = build(sealer(store()), Chains.trigger("d-6", 8));
    ObjectNode tree = Chains.tree(value);
    ((ObjectNode) tree.get("payload")).put("payload", "sha256:" + "0".repeat(64));

    assertThatThrownBy(
            () ->
                ChainVerifier.trusting(List.of(signer.publicKey()))
                    .verifyNext(CanonicalJson.bytes(tree)))
        .isInstanceOf(ChainException.class);
  }
}
