package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds the next ledger record for an event: links it to the chain head, records the payload and
 * its digest, and signs it. The result is the exact value that goes on the ledger topic.
 */
public final class RecordBuilder {

  private static final String IMAGE_DIGEST = "IMAGE_DIGEST";
  private static final Pattern SHA256_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final String PAYLOAD_FIELD = "payload";
  private static final ObjectMapper WITHOUT_PAYLOAD =
      Json.mapper().copy().addMixIn(LedgerRecord.class, WithoutPayload.class);

  private RecordBuilder() {}

  /**
   * The RFC 8785 canonical bytes of the signed record that follows {@code head}, without an
   * authentication: as the ledger wrote records before it checked event signatures.
   */
  public static byte[] build(ChainHead head, SourceEvent event, Instant time, RecordSigner signer) {
    return build(head, prepare(event), null, time, signer, null);
  }

  /**
   * The RFC 8785 canonical bytes of the signed record that follows {@code head}, stating what
   * checking the event's signature found.
   */
  public static byte[] build(
      ChainHead head,
      SourceEvent event,
      LedgerRecord.Authentication authentication,
      Instant time,
      RecordSigner signer) {
    return build(head, prepare(event), authentication, time, signer, null);
  }

  /**
   * The event's payload as a record carries it, read once: its digest decides whether the ledger
   * holds the event already before the record is built.
   */
  public static Prepared prepare(SourceEvent event) {
    return new Prepared(event, payload(event.data()));
  }

  /**
   * The RFC 8785 canonical bytes of the signed record of a prepared event that follows {@code
   * head}, without an authentication, marked as a conflict with the record at {@code conflictsWith}
   * when that is not null.
   */
  public static byte[] build(
      ChainHead head, Prepared prepared, Instant time, RecordSigner signer, Long conflictsWith) {
    return build(head, prepared, null, time, signer, conflictsWith);
  }

  /**
   * The RFC 8785 canonical bytes of the signed record of a prepared event that follows {@code
   * head}, stating what checking the event's signature found ({@code null}: not checked), marked as
   * a conflict with the record at {@code conflictsWith} when that is not null.
   */
  public static byte[] build(
      ChainHead head,
      Prepared prepared,
      LedgerRecord.Authentication authentication,
      Instant time,
      RecordSigner signer,
      Long conflictsWith) {
    return built(head, prepared, authentication, time, signer, conflictsWith).value();
  }

  /**
   * A record the writer just built: its stored bytes, the tree they are the RFC 8785 form of, and
   * the record itself, so the writer's own check of it needs neither to parse, nor to canonicalize,
   * nor to convert it again. Its payload member in {@code value} is exactly the canonical bytes its
   * {@code payloadDigest} was computed from (or, sealed, the commitments that digest does not
   * cover).
   *
   * @param value the stored bytes
   * @param tree the record as a tree, signature included; not to be modified
   * @param record the record, signature included; {@code tree} is its tree
   */
  public record Built(byte[] value, ObjectNode tree, LedgerRecord record) {}

  /**
   * As {@link #build(ChainHead, Prepared, LedgerRecord.Authentication, Instant, RecordSigner,
   * Long)}, with the record's tree: the payload's canonical bytes read once in {@link #prepare} are
   * reused for the signed bytes and the stored value.
   */
  public static Built built(
      ChainHead head,
      Prepared prepared,
      LedgerRecord.Authentication authentication,
      Instant time,
      RecordSigner signer,
      Long conflictsWith) {
    SourceEvent event = prepared.event();
    Payload payload = prepared.payload();
    LedgerRecord unsigned =
        LedgerRecord.builder()
            .seq(head.nextSeq())
            .prev(head.nextPrev())
            .time(time)
            .kind(event.kind())
            .eventId(event.eventId())
            .eventType(event.eventType())
            .links(links(event.kind(), payload))
            .source(event.source())
            .payloadEncoding(payload.encoding())
            .payload(payload.value())
            .payloadDigest(payload.digest())
            .keyId(signer.publicKey().keyId())
            .conflictsWith(conflictsWith)
            .authentication(authentication)
            .sealed(prepared.sealed())
            .build();
    return sign(unsigned, payload.canonical(), signer);
  }

  /**
   * The RFC 8785 canonical bytes of the signed checkpoint record that follows {@code head}: kind
   * {@code checkpoint}, event id {@code checkpoint:<seq>}, no source, the checkpoint payload as
   * JSON. The payload must state the size {@code head.size()}.
   */
  public static byte[] checkpoint(
      ChainHead head, JsonNode checkpointPayload, Instant time, RecordSigner signer) {
    return checkpointBuilt(head, checkpointPayload, time, signer).value();
  }

  /** As {@link #checkpoint}, with the record's tree. */
  public static Built checkpointBuilt(
      ChainHead head, JsonNode checkpointPayload, Instant time, RecordSigner signer) {
    byte[] canonical = CanonicalJson.bytes(checkpointPayload);
    LedgerRecord unsigned =
        LedgerRecord.builder()
            .seq(head.nextSeq())
            .prev(head.nextPrev())
            .time(time)
            .kind(LedgerRecord.Kind.CHECKPOINT)
            .eventId(LedgerRecord.CHECKPOINT_EVENT_ID_PREFIX + head.nextSeq())
            .payloadEncoding(LedgerRecord.PayloadEncoding.JSON)
            .payload(checkpointPayload)
            .payloadDigest(Sha256.digest(canonical))
            .keyId(signer.publicKey().keyId())
            .build();
    return sign(unsigned, canonical, signer);
  }

  /**
   * The RFC 8785 canonical bytes of the key-rotation record that follows {@code head}, signed by
   * {@code oldSigner} (the key in force) and announcing {@code newKey}, which signs from the next
   * seq on.
   */
  public static byte[] keyRotation(
      ChainHead head, LedgerPublicKey newKey, Instant time, RecordSigner oldSigner) {
    return keyRotationBuilt(head, newKey, time, oldSigner).value();
  }

  /** As {@link #keyRotation}, with the record's tree. */
  public static Built keyRotationBuilt(
      ChainHead head, LedgerPublicKey newKey, Instant time, RecordSigner oldSigner) {
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.put("keyId", newKey.keyId());
    payload.put("publicKey", Base64.getEncoder().encodeToString(newKey.raw()));
    payload.put("fromSeq", head.nextSeq() + 1);
    byte[] canonical = CanonicalJson.bytes(payload);
    LedgerRecord unsigned =
        LedgerRecord.builder()
            .seq(head.nextSeq())
            .prev(head.nextPrev())
            .time(time)
            .kind(LedgerRecord.Kind.KEY_ROTATION)
            .eventId(LedgerRecord.KEY_ROTATION_EVENT_ID_PREFIX + head.nextSeq())
            .payloadEncoding(LedgerRecord.PayloadEncoding.JSON)
            .payload(payload)
            .payloadDigest(Sha256.digest(canonical))
            .keyId(oldSigner.publicKey().keyId())
            .build();
    return sign(unsigned, canonical, oldSigner);
  }

  /**
   * Signs the record; {@code payload} is the canonical form of its payload when known (null:
   * written from the tree), which must be what the tree's payload canonicalizes to.
   */
  private static Built sign(LedgerRecord unsigned, byte[] payload, RecordSigner signer) {
    // The payload, the bulk of a record, joins the tree as it is: converting the whole record to a
    // tree would copy it node by node.
    ObjectNode tree = WITHOUT_PAYLOAD.valueToTree(unsigned);
    tree.remove(LedgerRecord.SIGNATURE_FIELD);
    tree.set(PAYLOAD_FIELD, unsigned.payload());
    byte[] value = RecordBytes.sign(tree, payload, signer);
    LedgerRecord signed =
        unsigned.toBuilder().signature(tree.get(LedgerRecord.SIGNATURE_FIELD).asText()).build();
    return new Built(value, tree, signed);
  }

  /** Every member of a record but its payload, as {@link LedgerRecord#toTree} writes them. */
  @JsonIgnoreProperties(PAYLOAD_FIELD)
  private abstract static class WithoutPayload {}

  private static Payload payload(byte[] data) {
    try {
      JsonNode json = Json.readTree(data);
      // Canonicalized once: the digest and, unsealed, the record's bytes both use these. A payload
      // its producer wrote in RFC 8785 form already (Tollgate's components sign canonical JSON) is
      // its own canonical form, which one scan of its bytes proves without writing it again.
      byte[] canonical =
          CanonicalScan.isPlainCanonicalObject(data) ? data.clone() : CanonicalJson.bytes(json);
      return new Payload(
          LedgerRecord.PayloadEncoding.JSON, json, Sha256.digest(canonical), canonical);
    } catch (MalformedJsonException e) {
      return base64(data);
    } catch (UncheckedIOException e) {
      // JSON that has no RFC 8785 form (a number beyond double range) is kept as its raw bytes.
      return base64(data);
    }
  }

  private static Payload base64(byte[] data) {
    return new Payload(
        LedgerRecord.PayloadEncoding.BASE64,
        TextNode.valueOf(Base64.getEncoder().encodeToString(data)),
        Sha256.digest(data),
        null);
  }

  private static LedgerRecord.Links links(LedgerRecord.Kind kind, Payload payload) {
    if (payload.encoding() != LedgerRecord.PayloadEncoding.JSON || !payload.value().isObject()) {
      return LedgerRecord.Links.NONE;
    }
    return new LedgerRecord.Links(
        text(payload.value(), "triggerId"),
        text(payload.value(), "decisionId"),
        text(payload.value(), "runUid"),
        kind == LedgerRecord.Kind.RUN ? imageDigests(payload.value()) : List.of());
  }

  /**
   * The image digests a run event reports: its {@code IMAGE_DIGEST} result and any {@code
   * <name>_IMAGE_DIGEST} result (Tekton Chains' type hints), where the value is a {@code
   * sha256:<hex>} digest; other values stay in the payload but are not linked.
   */
  private static List<String> imageDigests(JsonNode run) {
    JsonNode results = run.path("results");
    TreeSet<String> digests = new TreeSet<>();
    for (Map.Entry<String, JsonNode> result : results.properties()) {
      String name = result.getKey();
      if (!name.equals(IMAGE_DIGEST) && !name.endsWith("_" + IMAGE_DIGEST)) {
        continue;
      }
      String value = result.getValue().asText("").trim();
      if (SHA256_DIGEST.matcher(value).matches()) {
        digests.add(value);
      }
    }
    return List.copyOf(digests);
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }

  /**
   * @param canonical the RFC 8785 bytes of {@code value} when computed already, else null
   */
  private record Payload(
      LedgerRecord.PayloadEncoding encoding, JsonNode value, String digest, byte[] canonical) {}

  /**
   * A source event with its payload read, ready to be built into a record; with sealed parts when
   * {@link #sealedAs} replaced values of its payload by their commitments.
   */
  public static final class Prepared {
    private final SourceEvent event;
    private final Payload payload;
    private final List<LedgerRecord.Sealed> sealed;

    private Prepared(SourceEvent event, Payload payload) {
      this(event, payload, List.of());
    }

    private Prepared(SourceEvent event, Payload payload, List<LedgerRecord.Sealed> sealed) {
      this.event = event;
      this.payload = payload;
      this.sealed = List.copyOf(sealed);
    }

    /** The event. */
    public SourceEvent event() {
      return event;
    }

    /** The digest its record's {@code payloadDigest} states: the event's content. */
    public String payloadDigest() {
      return payload.digest();
    }

    /**
     * The payload as the record will carry it (JSON), or empty for data that is not JSON, whose
     * record carries base64 and can have no sealed parts.
     */
    public Optional<JsonNode> jsonPayload() {
      return payload.encoding() == LedgerRecord.PayloadEncoding.JSON
          ? Optional.of(payload.value())
          : Optional.empty();
    }

    /** Its sealed parts, empty when none. */
    public List<LedgerRecord.Sealed> sealed() {
      return sealed;
    }

    /**
     * This event with its JSON payload replaced by {@code payload}, which holds the commitments
     * {@code sealed} names where values were; its digest still states the whole content. Links are
     * read from the payload as recorded, so a sealed part links nothing.
     */
    public Prepared sealedAs(JsonNode sealedPayload, List<LedgerRecord.Sealed> parts) {
      if (payload.encoding() != LedgerRecord.PayloadEncoding.JSON) {
        throw new IllegalStateException("only a JSON payload has sealed parts");
      }
      return new Prepared(
          event,
          new Payload(LedgerRecord.PayloadEncoding.JSON, sealedPayload, payload.digest(), null),
          parts);
    }

    private Payload payload() {
      return payload;
    }
  }
}
