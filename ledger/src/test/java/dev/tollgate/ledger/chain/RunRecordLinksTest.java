package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The links a run record carries, from the run event's ids and image digest results. */
class RunRecordLinksTest {

  private static final LedgerSigner SIGNER = TestKeys.signer();

  @Test
  void build_succeededRunExample_linksRunUidIdsAndImageDigest() throws Exception {
    LedgerRecord record = build(LedgerRecord.Kind.RUN, example());

    assertThat(record.links().runUid()).isEqualTo("5b1d0c6e-2f1a-4c3b-9d8e-7f6a5b4c3d2e");
    assertThat(record.links().triggerId()).isEqualTo("github:0a1b2c3d-4e5f-11ef-9a0b-0c1d2e3f4a5b");
    assertThat(record.links().decisionId()).isEqualTo("dec-8277e0910d750195b448797616e091ad");
    assertThat(record.links().imageDigests())
        .containsExactly("sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9");
  }

  @Test
  void build_chainsTypeHintedDigests_linksEachSortedOnce() throws Exception {
    ObjectNode run = example();
    ObjectNode results = (ObjectNode) run.get("results");
    results.put("API_IMAGE_DIGEST", "sha256:" + "1".repeat(64));
    results.put("WORKER_IMAGE_DIGEST", "sha256:" + "1".repeat(64));

    LedgerRecord record = build(LedgerRecord.Kind.RUN, run);

    assertThat(record.links().imageDigests())
        .containsExactly(
            "sha256:" + "1".repeat(64),
            "sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9");
  }

  @Test
  void build_imageDigestNotASha256Digest_keptInPayloadButNotLinked() throws Exception {
    ObjectNode run = example();
    ((ObjectNode) run.get("results")).put("IMAGE_DIGEST", "latest");

    LedgerRecord record = build(LedgerRecord.Kind.RUN, run);

    assertThat(record.links().imageDigests()).isEmpty();
    assertThat(record.payload().path("results").path("IMAGE_DIGEST").asText()).isEqualTo("latest");
  }

  @Test
  void build_imageDigestResultInANonRunEvent_notLinked() throws Exception {
    LedgerRecord record = build(LedgerRecord.Kind.TRIGGER, example());

    assertThat(record.links().imageDigests()).isEmpty();
  }

  private static ObjectNode example() throws Exception {
    return (ObjectNode) Json.readTree(Files.readAllBytes(Chains.example("run.succeeded.json")));
  }

  private static LedgerRecord build(LedgerRecord.Kind kind, ObjectNode data) throws Exception {
    byte[] value =
        RecordBuilder.build(
            ChainHead.EMPTY,
            Chains.event(kind, "e-1", 0, CanonicalJson.bytes(data)),
            Instant.parse("2026-11-22T09:31:12Z"),
            SIGNER);
    ChainVerifier.trusting(List.of(SIGNER.publicKey())).verifyNext(value);
    return Json.read(value, LedgerRecord.class);
  }
}
