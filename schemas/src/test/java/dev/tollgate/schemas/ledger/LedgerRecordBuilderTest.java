package dev.tollgate.schemas.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerRecordBuilderTest {

  private static final Instant NOW = Instant.parse("2026-11-22T09:20:41.388Z");

  private static LedgerRecordBuilder trigger() {
    return LedgerRecord.builder()
        .seq(3)
        .prev(Sha256.digest(new byte[] {1}))
        .time(NOW)
        .kind(LedgerRecord.Kind.TRIGGER)
        .eventId("github:1")
        .eventType("dev.tollgate.trigger.v1")
        .links(new LedgerRecord.Links("github:1", null, null, List.of()))
        .source(new LedgerRecord.SourcePosition("tollgate.triggers.v1", 0, 7))
        .payloadEncoding(LedgerRecord.PayloadEncoding.JSON)
        .payload(Json.mapper().createObjectNode().put("a", 1))
        .payloadDigest(Sha256.digest(new byte[] {2}))
        .keyId("a".repeat(64))
        .signature("A".repeat(86) + "==");
  }

  @Test
  void build_optionalMembersUnset_writesTheSameJsonAsBefore() {
    LedgerRecord record = trigger().build();

    // The JSON form the records had before the builder: no conflictsWith, no authentication.
    assertThat(new String(CanonicalJson.bytes(record.toTree()), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"eventId\":\"github:1\",\"eventType\":\"dev.tollgate.trigger.v1\","
                + "\"keyId\":\""
                + "a".repeat(64)
                + "\",\"kind\":\"trigger\",\"links\":{\"triggerId\":\"github:1\"},"
                + "\"payload\":{\"a\":1},\"payloadDigest\":\""
                + Sha256.digest(new byte[] {2})
                + "\",\"payloadEncoding\":\"json\",\"prev\":\""
                + Sha256.digest(new byte[] {1})
                + "\",\"seq\":3,\"signature\":\""
                + "A".repeat(86)
                + "==\",\"source\":{\"offset\":7,\"partition\":0,\"topic\":\"tollgate.triggers.v1\"},"
                + "\"time\":\"2026-11-22T09:20:41.388Z\"}");
  }

  @Test
  void toBuilder_record_buildsAnEqualRecord() throws Exception {
    LedgerRecord record = trigger().conflictsWith(1L).build();

    assertThat(record.toBuilder().build()).isEqualTo(record);
    assertThat(Json.read(CanonicalJson.bytes(record.toTree()), LedgerRecord.class))
        .isEqualTo(record);
  }

  @Test
  void conflicting_record_keepsEveryMemberAndSetsConflictsWith() {
    LedgerRecord record = trigger().build();

    LedgerRecord conflict = record.conflicting(2);

    assertThat(conflict.conflictsWith()).isEqualTo(2L);
    assertThat(conflict.toBuilder().conflictsWith(null).build()).isEqualTo(record);
  }

  @Test
  void build_requiredMemberMissing_throwsNamingIt() {
    assertThatThrownBy(() -> trigger().payloadDigest(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payloadDigest");
    assertThatThrownBy(() -> trigger().source(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source");
  }

  @Test
  void build_ledgerOwnRecordWithConflict_rejected() {
    assertThatThrownBy(
            () ->
                trigger()
                    .kind(LedgerRecord.Kind.CHECKPOINT)
                    .source(null)
                    .conflictsWith(1L)
                    .eventId("checkpoint:3")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("conflicts with nothing");
  }
}
