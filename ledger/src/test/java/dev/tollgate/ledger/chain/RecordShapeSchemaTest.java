package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RecordShape} and {@code ledger-record.v1.schema.json} (the contract third parties verify
 * against) judge records alike: valid records pass both, and every way of breaking a member's
 * presence, type, pattern or range is refused by both. The few rules the chain needs and the schema
 * cannot state (a record's own seq in its event id, a rotation taking effect at the next seq) are
 * listed apart: there the shape is stricter, never the schema.
 */
class RecordShapeSchemaTest {

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          builder ->
              builder.schemaMappers(
                  mappers ->
                      mappers.mapPrefix(
                          "https://tollgate.dev/schemas/", "classpath:dev/tollgate/schemas/")));
  private static final JsonSchema SCHEMA =
      FACTORY.getSchema(
          SchemaLocation.of("https://tollgate.dev/schemas/ledger-record.v1.schema.json"),
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());

  /** A named record: an example, or one broken in one way. */
  record Case(String name, JsonNode record) {
    @Override
    public String toString() {
      return name;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRecords")
  void check_validRecord_passesShapeAndSchema(Case valid) {
    assertThat(schemaAccepts(valid.record())).as("schema").isTrue();
    assertThat(shapeAccepts(valid.record())).as("shape").isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenRecords")
  void check_brokenRecord_refusedByShapeAndSchema(Case broken) {
    assertThat(schemaAccepts(broken.record())).as("schema").isFalse();
    assertThat(shapeAccepts(broken.record())).as("shape").isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chainOnlyRules")
  void check_ruleTheSchemaCannotState_refusedByShapeOnly(Case stricter) {
    assertThat(schemaAccepts(stricter.record())).as("schema").isTrue();
    assertThat(shapeAccepts(stricter.record())).as("shape").isFalse();
  }

  static Stream<Case> validRecords() {
    JsonNode base64 =
        Chains.tree(
            Chains.build(
                    TestKeys.signer(),
                    List.of(
                        Chains.event(
                            LedgerRecord.Kind.REJECTION,
                            "tollgate.rejections.v1-0@7",
                            7,
                            "not json".getBytes(StandardCharsets.UTF_8))))
                .get(0));
    return Stream.of(
        new Case("decision example", example("ledger-record.decision.json")),
        new Case("checkpoint example", example("ledger-record.checkpoint.json")),
        new Case("key-rotation example", example("ledger-record.key-rotation.json")),
        new Case("trigger as built", Chains.tree(Chains.build(TestKeys.signer(), 1).get(0))),
        new Case(
            "trigger recorded as unsigned",
            edit(
                Chains.tree(Chains.build(TestKeys.signer(), 1).get(0)),
                r -> {
                  ObjectNode auth = (ObjectNode) r.get("authentication");
                  auth.retain("signer");
                  auth.put("result", "unsigned").put("why", "no signature");
                })),
        new Case("base64 payload as built", base64),
        new Case("eventType null", edit(decision(), r -> r.putNull("eventType"))),
        new Case("no links", edit(decision(), r -> r.remove("links"))),
        new Case("payload null", edit(decision(), r -> r.putNull("payload"))),
        new Case("trigger with a sealed part", sealed(r -> {})),
        new Case(
            "trigger with two sealed parts",
            sealed(
                r -> {
                  payload(r).put("ref", COMMITMENT_2);
                  ((ArrayNode) r.get("sealed"))
                      .addObject()
                      .put("pointer", "/ref")
                      .put("commitment", COMMITMENT_2);
                })));
  }

  private static final String COMMITMENT = "sha256:" + "c".repeat(64);
  private static final String COMMITMENT_2 = "sha256:" + "d".repeat(64);

  /**
   * A trigger record as built, its webhook body sealed as the writer seals it ({@code /payload}
   * holds the commitment; {@code sealed} names it), changed.
   */
  private static JsonNode sealed(Consumer<ObjectNode> change) {
    return authenticated(
        r -> {
          payload(r).put("payload", COMMITMENT);
          r.putArray("sealed").addObject().put("pointer", "/payload").put("commitment", COMMITMENT);
          change.accept(r);
        });
  }

  private static ObjectNode sealedPart(ObjectNode record) {
    return (ObjectNode) record.get("sealed").get(0);
  }

  static Stream<Case> brokenRecords() {
    List<Case> cases = new ArrayList<>();
    for (String field :
        List.of(
            "seq",
            "prev",
            "time",
            "kind",
            "eventId",
            "payloadEncoding",
            "payload",
            "payloadDigest",
            "keyId",
            "signature",
            "source")) {
      cases.add(new Case("decision without " + field, edit(decision(), r -> r.remove(field))));
    }
    cases.add(new Case("unknown member", edit(decision(), r -> r.put("extra", 1))));
    cases.add(new Case("seq a string", edit(decision(), r -> r.put("seq", "1"))));
    cases.add(new Case("seq negative", edit(decision(), r -> r.put("seq", -1))));
    cases.add(new Case("seq a fraction", edit(decision(), r -> r.put("seq", 1.5))));
    cases.add(new Case("prev not a digest", edit(decision(), r -> r.put("prev", "sha256:00"))));
    cases.add(new Case("prev a number", edit(decision(), r -> r.put("prev", 0))));
    cases.add(new Case("time not a time", edit(decision(), r -> r.put("time", "yesterday"))));
    cases.add(
        new Case(
            "time without zone", edit(decision(), r -> r.put("time", "2026-11-22T09:14:03.644"))));
    cases.add(
        new Case(
            "time not in UTC",
            edit(decision(), r -> r.put("time", "2026-11-22T10:14:03.644+01:00"))));
    cases.add(new Case("kind unknown", edit(decision(), r -> r.put("kind", "vote"))));
    cases.add(new Case("eventId empty", edit(decision(), r -> r.put("eventId", ""))));
    cases.add(new Case("eventType a number", edit(decision(), r -> r.put("eventType", 5))));
    cases.add(new Case("links unknown member", edit(decision(), r -> links(r).put("pr", "1"))));
    cases.add(new Case("links a string", edit(decision(), r -> r.put("links", "x"))));
    cases.add(
        new Case("links.triggerId a number", edit(decision(), r -> links(r).put("triggerId", 1))));
    cases.add(
        new Case(
            "links.imageDigests a string",
            edit(decision(), r -> links(r).put("imageDigests", "x"))));
    cases.add(
        new Case(
            "links.imageDigests not digests",
            edit(decision(), r -> links(r).putArray("imageDigests").add("latest"))));
    cases.add(new Case("source a string", edit(decision(), r -> r.put("source", "x"))));
    cases.add(new Case("source unknown member", edit(decision(), r -> source(r).put("key", "k"))));
    cases.add(new Case("source without topic", edit(decision(), r -> source(r).remove("topic"))));
    cases.add(new Case("source topic empty", edit(decision(), r -> source(r).put("topic", ""))));
    cases.add(
        new Case(
            "source partition negative", edit(decision(), r -> source(r).put("partition", -1))));
    cases.add(
        new Case("source offset a string", edit(decision(), r -> source(r).put("offset", "3"))));
    cases.add(
        new Case(
            "payloadEncoding unknown", edit(decision(), r -> r.put("payloadEncoding", "hex"))));
    cases.add(
        new Case(
            "payloadDigest not a digest", edit(decision(), r -> r.put("payloadDigest", "abc"))));
    cases.add(
        new Case(
            "keyId upper case",
            edit(
                decision(),
                r -> r.put("keyId", r.get("keyId").asText().toUpperCase(java.util.Locale.ROOT)))));
    cases.add(new Case("signature short", edit(decision(), r -> r.put("signature", "AAAA"))));
    cases.add(
        new Case(
            "signature unpadded",
            edit(
                decision(),
                r -> r.put("signature", r.get("signature").asText().replace("=", "")))));
    cases.add(
        new Case(
            "checkpoint with source",
            edit(checkpoint(), r -> r.set("source", decision().get("source")))));
    cases.add(
        new Case(
            "checkpoint eventId not a size",
            edit(checkpoint(), r -> r.put("eventId", "checkpoint:three"))));
    cases.add(
        new Case(
            "checkpoint payload in base64",
            edit(checkpoint(), r -> r.put("payloadEncoding", "base64"))));
    cases.add(
        new Case("checkpoint payload a string", edit(checkpoint(), r -> r.put("payload", "x"))));
    for (String field : List.of("origin", "size", "rootHash", "note")) {
      cases.add(
          new Case(
              "checkpoint payload without " + field,
              edit(checkpoint(), r -> payload(r).remove(field))));
    }
    cases.add(
        new Case(
            "checkpoint payload unknown member",
            edit(checkpoint(), r -> payload(r).put("extra", 1))));
    cases.add(
        new Case(
            "checkpoint origin with a space",
            edit(checkpoint(), r -> payload(r).put("origin", "a b"))));
    cases.add(
        new Case(
            "checkpoint origin with a plus",
            edit(checkpoint(), r -> payload(r).put("origin", "a+b"))));
    cases.add(
        new Case("checkpoint size negative", edit(checkpoint(), r -> payload(r).put("size", -1))));
    cases.add(
        new Case("checkpoint size a string", edit(checkpoint(), r -> payload(r).put("size", "3"))));
    cases.add(
        new Case(
            "checkpoint rootHash not a digest",
            edit(checkpoint(), r -> payload(r).put("rootHash", "x"))));
    cases.add(
        new Case("checkpoint note empty", edit(checkpoint(), r -> payload(r).put("note", ""))));
    cases.add(
        new Case(
            "key rotation with source",
            edit(rotation(), r -> r.set("source", decision().get("source")))));
    cases.add(
        new Case(
            "key rotation eventId not a seq",
            edit(rotation(), r -> r.put("eventId", "key-rotation:x"))));
    cases.add(
        new Case(
            "key rotation payload in base64",
            edit(rotation(), r -> r.put("payloadEncoding", "base64"))));
    for (String field : List.of("keyId", "publicKey", "fromSeq")) {
      cases.add(
          new Case(
              "key rotation payload without " + field,
              edit(rotation(), r -> payload(r).remove(field))));
    }
    cases.add(
        new Case(
            "key rotation payload unknown member",
            edit(rotation(), r -> payload(r).put("extra", 1))));
    cases.add(
        new Case(
            "key rotation keyId not hex", edit(rotation(), r -> payload(r).put("keyId", "k1"))));
    cases.add(
        new Case(
            "key rotation publicKey unpadded",
            edit(
                rotation(),
                r ->
                    payload(r)
                        .put("publicKey", payload(r).get("publicKey").asText().replace("=", "")))));
    cases.add(
        new Case("key rotation fromSeq zero", edit(rotation(), r -> payload(r).put("fromSeq", 0))));
    cases.add(
        new Case(
            "key rotation fromSeq a string",
            edit(rotation(), r -> payload(r).put("fromSeq", "5"))));
    cases.add(
        new Case("authentication a string", authenticated(r -> r.put("authentication", "ok"))));
    cases.add(new Case("authentication unknown member", authenticated(r -> auth(r).put("x", 1))));
    cases.add(
        new Case("authentication without signer", authenticated(r -> auth(r).remove("signer"))));
    cases.add(
        new Case("authentication without result", authenticated(r -> auth(r).remove("result"))));
    cases.add(
        new Case("authentication signer unknown", authenticated(r -> auth(r).put("signer", "me"))));
    cases.add(
        new Case("authentication result unknown", authenticated(r -> auth(r).put("result", "ok"))));
    cases.add(
        new Case(
            "authentication verified without signature",
            authenticated(r -> auth(r).remove("signature"))));
    cases.add(
        new Case(
            "authentication verified without signed object",
            authenticated(r -> auth(r).remove("signed"))));
    cases.add(
        new Case(
            "authentication verified with a why", authenticated(r -> auth(r).put("why", "x"))));
    cases.add(
        new Case(
            "authentication unsigned without why",
            authenticated(r -> auth(r).put("result", "unsigned"))));
    cases.add(
        new Case("authentication keyId not hex", authenticated(r -> auth(r).put("keyId", "k1"))));
    cases.add(
        new Case(
            "authentication signed without datadigest",
            authenticated(r -> ((ObjectNode) auth(r).get("signed")).remove("datadigest"))));
    cases.add(
        new Case(
            "authentication signed unknown member",
            authenticated(r -> ((ObjectNode) auth(r).get("signed")).put("x", "y"))));
    cases.add(new Case("sealed empty", sealed(r -> r.putArray("sealed"))));
    cases.add(new Case("sealed an object", sealed(r -> r.putObject("sealed"))));
    cases.add(new Case("sealed part unknown member", sealed(r -> sealedPart(r).put("salt", "x"))));
    cases.add(
        new Case(
            "sealed part without commitment", sealed(r -> sealedPart(r).remove("commitment"))));
    cases.add(
        new Case(
            "sealed commitment not a digest",
            sealed(r -> sealedPart(r).put("commitment", "sha256:00"))));
    cases.add(
        new Case(
            "sealed pointer not a pointer", sealed(r -> sealedPart(r).put("pointer", "payload"))));
    cases.add(
        new Case(
            "sealed on a checkpoint",
            edit(checkpoint(), r -> r.set("sealed", sealed(x -> {}).get("sealed")))));
    cases.add(
        new Case("sealed on a base64 payload", sealed(r -> r.put("payloadEncoding", "base64"))));
    cases.add(
        new Case(
            "authentication on a checkpoint",
            edit(
                checkpoint(),
                r -> r.set("authentication", authenticated(x -> {}).get("authentication")))));
    return cases.stream();
  }

  /** A trigger record as built, which carries a verified authentication, changed. */
  private static JsonNode authenticated(Consumer<ObjectNode> change) {
    return edit(Chains.tree(Chains.build(TestKeys.signer(), 1).get(0)), change);
  }

  private static ObjectNode auth(ObjectNode record) {
    return (ObjectNode) record.get("authentication");
  }

  static Stream<Case> chainOnlyRules() {
    return Stream.of(
        new Case(
            "checkpoint eventId naming another seq",
            edit(checkpoint(), r -> r.put("eventId", "checkpoint:2"))),
        new Case(
            "key rotation taking effect later than the next seq",
            edit(rotation(), r -> payload(r).put("fromSeq", 9))),
        new Case(
            "sealed pointer where the payload holds no commitment",
            sealed(r -> payload(r).put("payload", "sha256:" + "e".repeat(64)))),
        new Case(
            "sealed pointers out of order",
            sealed(
                r -> {
                  payload(r).put("ref", COMMITMENT_2);
                  ((ArrayNode) r.get("sealed"))
                      .insertObject(0)
                      .put("pointer", "/ref")
                      .put("commitment", COMMITMENT_2);
                })));
  }

  private static boolean schemaAccepts(JsonNode record) {
    return SCHEMA.validate(record).isEmpty();
  }

  private static boolean shapeAccepts(JsonNode record) {
    long seq = record.path("seq").asLong();
    try {
      LedgerRecord shaped = RecordShape.check(seq, record);
      switch (shaped.kind()) {
        case CHECKPOINT -> RecordShape.requireCheckpoint(seq, shaped);
        case KEY_ROTATION -> RecordShape.requireKeyRotation(seq, shaped);
        case TRIGGER, REJECTION, DECISION, RUN -> {}
      }
      return true;
    } catch (ChainException e) {
      return false;
    }
  }

  private static JsonNode decision() {
    return example("ledger-record.decision.json");
  }

  private static JsonNode checkpoint() {
    return example("ledger-record.checkpoint.json");
  }

  private static JsonNode rotation() {
    return example("ledger-record.key-rotation.json");
  }

  private static ObjectNode links(ObjectNode record) {
    return (ObjectNode) record.get("links");
  }

  private static ObjectNode source(ObjectNode record) {
    return (ObjectNode) record.get("source");
  }

  private static ObjectNode payload(ObjectNode record) {
    return (ObjectNode) record.get("payload");
  }

  private static JsonNode edit(JsonNode record, Consumer<ObjectNode> change) {
    ObjectNode copy = record.deepCopy();
    change.accept(copy);
    return copy;
  }

  private static JsonNode example(String name) {
    try {
      return Json.readTree(Files.readAllBytes(Chains.example(name)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read example " + name, e);
    }
  }
}
