package dev.tollgate.ledger.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * <p>Held in memory (a few dozen bytes per link); kept on disk by the writer's {@code
 * LedgerDataDir} and rebuilt from the topic only when that is missing.
 */
public final class LedgerIndex {

  private static final String DECISION = "decision";
  private static final String CHECKPOINT = "checkpoint";
  private static final String VERIFIED = "verified";
  private static final Pattern PINNED = Pattern.compile("@(sha256:[0-9a-f]{64})$");

  private final Map<String, List<Long>> byImageDigest = new HashMap<>();
  private final Map<String, List<Long>> byRunUid = new HashMap<>();
  private final Map<String, List<Long>> byDecisionId = new HashMap<>();
  private final Map<String, List<Long>> byTriggerId = new HashMap<>();
  private final Map<Long, IndexedRecord> linked = new HashMap<>();
  private final Map<String, List<DecisionRecord>> decisions = new HashMap<>();
  private long size;

  /**
   * Indexes the verified record at {@code seq}, which must be the next one.
   *
   * @throws IllegalArgumentException when {@code seq} is not the next one or the value is not JSON,
   *     both bugs: the caller hands over verified records in order
   */
  public synchronized void add(long seq, byte[] value) {
    if (seq != size) {
      throw new IllegalArgumentException("the index holds " + size + " records, not seq " + seq);
    }
    JsonNode record;
    try {
      record = Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalArgumentException("record " + seq + " was verified but is not JSON", e);
    }
    size++;
    String kind = record.path("kind").asText();
    if (kind.equals(CHECKPOINT)) {
      return;
    }
    JsonNode links = record.path("links");
    String triggerId = text(links, "triggerId");
    String decisionId = text(links, "decisionId");
    String runUid = text(links, "runUid");
    List<String> digests = new ArrayList<>();
    links.path("imageDigests").forEach(d -> digests.add(d.asText()));
    if (triggerId == null && decisionId == null && runUid == null && digests.isEmpty()) {
      return;
    }
    // Only a source event that verified under its signer's key is that component's word.
    boolean authenticated = record.path("authentication").path("result").asText().equals(VERIFIED);
    linked.put(
        seq,
        new IndexedRecord(
            seq,
            kind,
            record.path("eventId").asText(),
            triggerId,
            decisionId,
            runUid,
            digests,
            authenticated));
    put(byTriggerId, triggerId, seq);
    put(byDecisionId, decisionId, seq);
    put(byRunUid, runUid, seq);
    digests.forEach(d -> put(byImageDigest, d, seq));
    if (!authenticated) {
      // Recorded as evidence and findable by its links, but never an admitting decision: anyone
      // who can write to the decisions topic could otherwise make a run look admitted.
      return;
    }
    if (kind.equals(DECISION) && decisionId != null && triggerId != null) {
      JsonNode payload = record.path("payload");
      boolean admitted = payload.path("outcome").asText().equals("admitted");
      JsonNode run = payload.path("pipelineRun");
      DecisionRecord decision =
          new DecisionRecord(
              seq,
              decisionId,
              triggerId,
              admitted,
              text(run, "namespace"),
              text(run, "name"),
              admitted ? pinnedDigests(payload) : List.of());
      // Every record of a decision id is kept (a trigger decided twice, `error` then `admitted`
      // after a crash, is recorded twice: the second marked as a conflict); none undoes another.
      decisions.computeIfAbsent(decisionId, k -> new ArrayList<>(1)).add(decision);
    }
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
    List<DecisionRecord> recorded = decisions.getOrDefault(decisionId, List.of());
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
    return List.copyOf(decisions.getOrDefault(decisionId, List.of()));
  }

  /**
   * The first record of this decision id that admitted exactly this PipelineRun for this trigger:
   * whichever of several decisions of one trigger created the run.
   */
  public synchronized Optional<DecisionRecord> admitting(
      String decisionId, String triggerId, String namespace, String name) {
    return decisions.getOrDefault(decisionId, List.of()).stream()
        .filter(d -> d.admits(triggerId, namespace, name))
        .findFirst();
  }

  /** Seqs of the records linking this image digest ({@code sha256:<hex>}), in order. */
  public synchronized List<Long> imageDigest(String digest) {
    return List.copyOf(byImageDigest.getOrDefault(digest, List.of()));
  }

  /** Seqs of the records of this run, in order. */
  public synchronized List<Long> runUid(String runUid) {
    return List.copyOf(byRunUid.getOrDefault(runUid, List.of()));
  }

  /** Seqs of the records linking this decision id, in order. */
  public synchronized List<Long> decisionId(String decisionId) {
    return List.copyOf(byDecisionId.getOrDefault(decisionId, List.of()));
  }

  /** Seqs of the records linking this trigger id, in order. */
  public synchronized List<Long> triggerId(String triggerId) {
    return List.copyOf(byTriggerId.getOrDefault(triggerId, List.of()));
  }

  /** The links of the record at {@code seq}, when it has any. */
  public synchronized Optional<IndexedRecord> record(long seq) {
    return Optional.ofNullable(linked.get(seq));
  }

  private static void put(Map<String, List<Long>> index, String key, long seq) {
    if (key != null) {
      index.computeIfAbsent(key, k -> new ArrayList<>()).add(seq);
    }
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

  /**
   * The part of a decision's verification report {@link #add} reads its pinned task bundles from
   * (passed checks' {@code <repository>@sha256:<hex>} evidence values), for a data directory that
   * keeps decisions reduced to what the index needs; null when there is none.
   */
  public static JsonNode pinnedEvidence(JsonNode decision) {
    ArrayNode checks = Json.mapper().createArrayNode();
    for (JsonNode check : decision.path("verification").path("checks")) {
      if (!check.path("outcome").asText().equals("passed")) {
        continue;
      }
      ObjectNode evidence = Json.mapper().createObjectNode();
      check
          .path("evidence")
          .properties()
          .forEach(
              e -> {
                if (PINNED.matcher(e.getValue().asText("")).find()) {
                  evidence.set(e.getKey(), e.getValue());
                }
              });
      if (!evidence.isEmpty()) {
        checks.addObject().put("outcome", "passed").set("evidence", evidence);
      }
    }
    if (checks.isEmpty()) {
      return null;
    }
    ObjectNode verification = Json.mapper().createObjectNode();
    verification.set("checks", checks);
    return verification;
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
