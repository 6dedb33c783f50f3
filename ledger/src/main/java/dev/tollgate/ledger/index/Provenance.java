package dev.tollgate.ledger.index;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The chain of records behind an image digest, as the ledger links them: the run records that
 * reported the digest (and every other record of those runs), the decisions those runs name, and
 * the triggers those decisions and runs name. Only records below {@code size} (the committed
 * ledger) are considered. Records of events that did not verify under their signer's keys are never
 * links: they are reported as ignored ({@link Trace}).
 */
public final class Provenance {

  /** What a record is in the chain, in the order the chain is served. */
  public enum Role {
    RUN("run"),
    DECISION("decision"),
    TRIGGER("trigger");

    private final String wire;

    Role(String wire) {
      this.wire = wire;
    }

    /** The role as served. */
    public String wire() {
      return wire;
    }
  }

  /** One record of the chain. */
  public record Link(Role role, IndexedRecord record) {}

  /**
   * The chain behind an image digest, and the records it names that were left out of it because
   * their source event did not verify under its signer's keys: evidence of what arrived, never a
   * link (a forged decision must not make a run look admitted, nor a forged run claim an image).
   *
   * @param chain the authenticated records: runs, then decisions, then triggers
   * @param ignored the unauthenticated records met on the way, in seq order
   */
  public record Trace(List<Link> chain, List<IndexedRecord> ignored) {
    public Trace {
      chain = List.copyOf(chain);
      ignored = List.copyOf(ignored);
    }
  }

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Provenance() {}

  /** Whether this is an image digest as links carry them: {@code sha256:} and 64 lowercase hex. */
  public static boolean isDigest(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  /**
   * The chain for {@code digest}: runs, then decisions, then triggers, each in seq order; records
   * of unauthenticated events left out.
   */
  public static List<Link> of(LedgerIndex index, String digest, long size) {
    return trace(index, digest, size).chain();
  }

  /** The chain for {@code digest} and the unauthenticated records left out of it. */
  public static Trace trace(LedgerIndex index, String digest, long size) {
    TreeMap<Long, IndexedRecord> ignored = new TreeMap<>();
    Map<Long, IndexedRecord> runs = new LinkedHashMap<>();
    for (long seq : index.imageDigest(digest)) {
      Optional<IndexedRecord> run = authenticated(record(index, seq, size), ignored);
      if (run.isEmpty()) {
        continue;
      }
      if (run.get().runUid() == null) {
        runs.put(seq, run.get());
        continue;
      }
      for (long other : index.runUid(run.get().runUid())) {
        authenticated(record(index, other, size), ignored).ifPresent(r -> runs.put(r.seq(), r));
      }
    }
    TreeSet<String> decisionIds = new TreeSet<>();
    TreeSet<String> triggerIds = new TreeSet<>();
    runs.values().forEach(r -> addLinks(r, decisionIds, triggerIds));
    Map<Long, IndexedRecord> decisions = new LinkedHashMap<>();
    for (String decisionId : decisionIds) {
      for (long seq : index.decisionId(decisionId)) {
        authenticated(
                record(index, seq, size).filter(r -> r.kind().equals(Role.DECISION.wire())),
                ignored)
            .ifPresent(r -> decisions.put(r.seq(), r));
      }
    }
    decisions.values().forEach(r -> addLinks(r, decisionIds, triggerIds));
    Map<Long, IndexedRecord> triggers = new LinkedHashMap<>();
    for (String triggerId : triggerIds) {
      for (long seq : index.triggerId(triggerId)) {
        authenticated(
                record(index, seq, size).filter(r -> r.kind().equals(Role.TRIGGER.wire())), ignored)
            .ifPresent(r -> triggers.put(r.seq(), r));
      }
    }
    List<Link> chain = new ArrayList<>();
    add(chain, Role.RUN, runs);
    add(chain, Role.DECISION, decisions);
    add(chain, Role.TRIGGER, triggers);
    return new Trace(chain, new ArrayList<>(ignored.values()));
  }

  /** The record when its event was authenticated; otherwise noted as ignored and left out. */
  private static Optional<IndexedRecord> authenticated(
      Optional<IndexedRecord> record, Map<Long, IndexedRecord> ignored) {
    if (record.isPresent() && !record.get().authenticated()) {
      ignored.put(record.get().seq(), record.get());
      return Optional.empty();
    }
    return record;
  }

  private static void add(List<Link> chain, Role role, Map<Long, IndexedRecord> records) {
    records.values().stream()
        .sorted((a, b) -> Long.compare(a.seq(), b.seq()))
        .forEach(r -> chain.add(new Link(role, r)));
  }

  private static void addLinks(
      IndexedRecord record, TreeSet<String> decisionIds, TreeSet<String> triggerIds) {
    if (record.decisionId() != null) {
      decisionIds.add(record.decisionId());
    }
    if (record.triggerId() != null) {
      triggerIds.add(record.triggerId());
    }
  }

  private static Optional<IndexedRecord> record(LedgerIndex index, long seq, long size) {
    return seq < size ? index.record(seq) : Optional.empty();
  }
}
