package dev.tollgate.ledger.index;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What provenance queries and the run watch look up in a verified ledger: the seqs of the records
 * that link each image digest, run uid, decision id and trigger id, and the decisions themselves.
 * Fed in seq order with records that already passed verification, so it trusts their shape; it
 * never sees a record the chain rejected. Thread-safe: the writer adds, HTTP and watch threads
 * read.
 *
 * <p>The records live in a {@link LinkStore}: in memory for the auditor, on disk in the writer's
 * {@code LedgerDataDir} (so the service's heap does not grow with the ledger), rebuilt from the
 * topic only when that is missing.
 */
public final class LedgerIndex {

  private static final String DECISION = "decision";
  private static final String CHECKPOINT = "checkpoint";
  private static final String VERIFIED = "verified";
  private static final Pattern PINNED = Pattern.compile("@(sha256:[0-9a-f]{64})$");

  private final LinkStore store;
  private long size;

  /** An empty index held in memory. */
  public LedgerIndex() {
    this(LinkStore.inMemory(), 0);
  }

  /**
   * An index over {@code store}, which holds the linked records of the first {@code size} records.
   */
  public LedgerIndex(LinkStore store, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
    this.store = store;
    this.size = size;
  }

  /**
   * Indexes the verified record at {@code seq}, which must be the next one.
   *
   * @throws IllegalArgumentException when {@code seq} is not the next one or the value is not JSON,
   *     both bugs: the caller hands over verified records in order
   */
  public synchronized void add(long seq, byte[] value) {
    JsonNode record;
    try {
      record = Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalArgumentException("record " + seq + " was verified but is not JSON", e);
    }
    add(seq, record);
  }

  /**
   * Indexes the verified record at {@code seq}, the next one, from the tree its stored value is the
   * canonical form of.
   *
   * @throws IllegalArgumentException when {@code seq} is not the next one, a bug: the caller hands
   *     over verified records in order
   */
  public synchronized void add(long seq, JsonNode record) {
    if (seq != size) {
      throw new IllegalArgumentException("the index holds " + size + " records, not seq " + seq);
    }
    Optional<LinkedRecord> linked = linked(seq, record);
    size++;
    linked.ifPresent(store::add);
  }

  /** What the index keeps of a verified record: nothing when it links nothing. */
  static Optional<LinkedRecord> linked(long seq, JsonNode record) {
    String kind = record.path("kind").asText();
    if (kind.equals(CHECKPOINT)) {
      return Optional.empty();
    }
    JsonNode links = record.path("links");
    String triggerId = text(links, "triggerId");
    String decisionId = text(links, "decisionId");
    String runUid = text(links, "runUid");
    List<String> digests = new ArrayList<>();
    links.path("imageDigests").forEach(d -> digests.add(d.asText()));
    if (triggerId == null && decisionId == null && runUid == null && digests.isEmpty()) {
      return Optional.empty();
    }
    // Only a source event that verified under its signer's key is that component's word.
    boolean authenticated = record.path("authentication").path("result").asText().equals(VERIFIED);
    IndexedRecord indexed =
        new IndexedRecord(
            seq,
            kind,
            record.path("eventId").asText(),
            triggerId,
            decisionId,
            runUid,
            digests,
            authenticated);
    DecisionRecord decision = null;
    // An unauthenticated decision is recorded as evidence and findable by its links, but never an
    // admitting decision: anyone who can write to the decisions topic could otherwise make a run
    // look admitted. Every record of a decision id is kept (a trigger decided twice, `error` then
    // `admitted` after a crash, is recorded twice: the second marked as a conflict); none undoes
    // another.
    if (authenticated && kind.equals(DECISION) && decisionId != null && triggerId != null) {
      JsonNode payload = record.path("payload");
      boolean admitted = payload.path("outcome").asText().equals("admitted");
      JsonNode run = payload.path("pipelineRun");
      decision =
          new DecisionRecord(
              seq,
              decisionId,
              triggerId,
              admitted,
              text(run, "namespace"),
              text(run, "name"),
              admitted ? pinnedDigests(payload) : List.of());
    }
    return Optional.of(new LinkedRecord(indexed, decision));
  }

  /**
   * Counts the records up to {@code size} as indexed without adding them: records without links,
   * which the writer's data directory does not keep.
   */
  public synchronized void advanceTo(long newSize) {
    if (newSize < size) {
      throw new IllegalArgumentException("the index holds " + size + " records, not " + newSize);
    }
    size = newSize;
  }

  /** Number of records indexed, so the seq the next one must have. */
  public synchronized long size() {
    return size;
  }

  /**
   * The decision recorded under this id: the first record that admitted, else the latest record.
   * Only decisions whose event verified under the verifier's keys count.
   */
  public synchronized Optional<DecisionRecord> decision(String decisionId) {
    List<DecisionRecord> recorded = decisions(decisionId);
    return recorded.stream()
        .filter(DecisionRecord::admitted)
        .findFirst()
        .or(
            () ->
                recorded.isEmpty()
                    ? Optional.empty()
                    : Optional.of(recorded.get(recorded.size() - 1)));
  }

  /** Every record of this decision id, in seq order. */
  public synchronized List<DecisionRecord> decisions(String decisionId) {
    return found(LinkedRecord.decisionKey(decisionId)).stream()
        .map(LinkedRecord::decision)
        .filter(d -> d != null && d.decisionId().equals(decisionId))
        .toList();
  }

  /**
   * The first record of this decision id that admitted exactly this PipelineRun for this trigger:
   * whichever of several decisions of one trigger created the run.
   */
  public synchronized Optional<DecisionRecord> admitting(
      String decisionId, String triggerId, String namespace, String name) {
    return decisions(decisionId).stream()
        .filter(d -> d.admits(triggerId, namespace, name))
        .findFirst();
  }

  /** Seqs of the records linking this image digest ({@code sha256:<hex>}), in order. */
  public synchronized List<Long> imageDigest(String digest) {
    return seqs(LinkedRecord.imageKey(digest));
  }

  /** Seqs of the records of this run, in order. */
  public synchronized List<Long> runUid(String runUid) {
    return seqs(LinkedRecord.runKey(runUid));
  }

  /** Seqs of the records linking this decision id, in order. */
  public synchronized List<Long> decisionId(String decisionId) {
    return seqs(LinkedRecord.decisionKey(decisionId));
  }

  /** Seqs of the records linking this trigger id, in order. */
  public synchronized List<Long> triggerId(String triggerId) {
    return seqs(LinkedRecord.triggerKey(triggerId));
  }

  /** The links of the record at {@code seq}, when it has any. */
  public synchronized Optional<IndexedRecord> record(long seq) {
    return found(LinkedRecord.seqKey(seq)).stream().findFirst().map(LinkedRecord::links);
  }

  private List<Long> seqs(String key) {
    List<Long> seqs = new ArrayList<>();
    for (LinkedRecord record : found(key)) {
      for (String k : record.keys()) {
        // A record linking one digest twice is found under it twice, as it was indexed.
        if (k.equals(key)) {
          seqs.add(record.seq());
        }
      }
    }
    return List.copyOf(seqs);
  }

  /** The records under {@code key}, each once, in seq order. */
  private List<LinkedRecord> found(String key) {
    List<LinkedRecord> found = new ArrayList<>();
    long last = -1;
    for (LinkedRecord record : store.find(key)) {
      if (record.seq() != last && record.hasKey(key)) {
        found.add(record);
        last = record.seq();
      }
    }
    return found;
  }

  /**
   * The digests an admitting decision pinned: its {@code pipelineRun.bundle} digest first, then the
   * digest of every {@code <repository>@sha256:<hex>} evidence value of a passed check in its
   * verification report (task bundles it pinned), each once.
   */
  private static List<String> pinnedDigests(JsonNode decision) {
    Set<String> pinned = new LinkedHashSet<>();
    addPinned(pinned, decision.path("pipelineRun").path("bundle").asText(""));
    for (JsonNode check : decision.path("verification").path("checks")) {
      if (check.path("outcome").asText().equals("passed")) {
        check.path("evidence").forEach(value -> addPinned(pinned, value.asText("")));
      }
    }
    return List.copyOf(pinned);
  }

  private static void addPinned(Set<String> pinned, String reference) {
    Matcher m = PINNED.matcher(reference);
    if (m.find()) {
      pinned.add(m.group(1));
    }
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }
}
