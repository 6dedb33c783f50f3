package dev.tollgate.schemas.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.ledger.LedgerRecord.Authentication;
import dev.tollgate.schemas.ledger.LedgerRecord.Kind;
import dev.tollgate.schemas.ledger.LedgerRecord.Links;
import dev.tollgate.schemas.ledger.LedgerRecord.PayloadEncoding;
import dev.tollgate.schemas.ledger.LedgerRecord.Sealed;
import dev.tollgate.schemas.ledger.LedgerRecord.SourcePosition;
import java.time.Instant;
import java.util.List;

/**
 * Sets a {@link LedgerRecord}'s members by name; {@link #build} checks them as the canonical
 * constructor does. The optional members ({@code eventType}, {@code source}, {@code conflictsWith},
 * {@code authentication}, and {@code signature} of a record about to be signed) stay null unless
 * set.
 */
public final class LedgerRecordBuilder {
  private long seq;
  private String prev;
  private Instant time;
  private Kind kind;
  private String eventId;
  private String eventType;
  private Links links = Links.NONE;
  private SourcePosition source;
  private PayloadEncoding payloadEncoding;
  private JsonNode payload;
  private String payloadDigest;
  private String keyId;
  private String signature;
  private Long conflictsWith;
  private Authentication authentication;
  private List<Sealed> sealed = List.of();

  LedgerRecordBuilder() {}

  /** The record's position in the chain. */
  public LedgerRecordBuilder seq(long seq) {
    this.seq = seq;
    return this;
  }

  /** The previous record's hash, {@link LedgerRecord#GENESIS_PREV} for seq 0. */
  public LedgerRecordBuilder prev(String prev) {
    this.prev = prev;
    return this;
  }

  /** When the ledger appended it. */
  public LedgerRecordBuilder time(Instant time) {
    this.time = time;
    return this;
  }

  /** Its kind. */
  public LedgerRecordBuilder kind(Kind kind) {
    this.kind = kind;
    return this;
  }

  /** The source event's id, or the id of one of the ledger's own records. */
  public LedgerRecordBuilder eventId(String eventId) {
    this.eventId = eventId;
    return this;
  }

  /** The source event's CloudEvents type; null for the ledger's own records. */
  public LedgerRecordBuilder eventType(String eventType) {
    this.eventType = eventType;
    return this;
  }

  /** Ids it links ({@link Links#NONE} for none). */
  public LedgerRecordBuilder links(Links links) {
    this.links = links;
    return this;
  }

  /** Where the ledger read the event; null for the ledger's own records. */
  public LedgerRecordBuilder source(SourcePosition source) {
    this.source = source;
    return this;
  }

  /** How {@code payload} holds the data. */
  public LedgerRecordBuilder payloadEncoding(PayloadEncoding payloadEncoding) {
    this.payloadEncoding = payloadEncoding;
    return this;
  }

  /** The payload. */
  public LedgerRecordBuilder payload(JsonNode payload) {
    this.payload = payload;
    return this;
  }

  /** The digest of the payload's content. */
  public LedgerRecordBuilder payloadDigest(String payloadDigest) {
    this.payloadDigest = payloadDigest;
    return this;
  }

  /** The signing key's id. */
  public LedgerRecordBuilder keyId(String keyId) {
    this.keyId = keyId;
    return this;
  }

  /** The signature; null while the record is being signed. */
  public LedgerRecordBuilder signature(String signature) {
    this.signature = signature;
    return this;
  }

  /** The seq of the first record of its event id when it conflicts with it, else null. */
  public LedgerRecordBuilder conflictsWith(Long conflictsWith) {
    this.conflictsWith = conflictsWith;
    return this;
  }

  /** What checking the source event's signature found; null for not checked. */
  public LedgerRecordBuilder authentication(Authentication authentication) {
    this.authentication = authentication;
    return this;
  }

  /** The sealed parts of its payload, in pointer order (empty for none). */
  public LedgerRecordBuilder sealed(List<Sealed> sealed) {
    this.sealed = sealed;
    return this;
  }

  /**
   * The record.
   *
   * @throws IllegalArgumentException naming the first member that is missing or invalid
   */
  public LedgerRecord build() {
    return new LedgerRecord(
        seq,
        prev,
        time,
        kind,
        eventId,
        eventType,
        links,
        source,
        payloadEncoding,
        payload,
        payloadDigest,
        keyId,
        signature,
        conflictsWith,
        authentication,
        sealed);
  }
}
