package dev.tollgate.ledger.index;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The chain of records behind an image digest, as the ledger links them: the run records that
 * reported the digest (and every other record of those runs), the decisions those runs name, and
 * the triggers those decisions and runs name. Only records below {@code size} (the committed
 * ledger) are considered.
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

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Provenance() {}

  /** Whether this is an image digest as links carry them: {@code sha256:} and 64 lowercase hex. */
  public static boolean isDigest(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  /** The chain for {@code digest}: runs, then decisions, then triggers, each in seq order. */
  public static List<Link> of(LedgerIndex index, String digest, long size) {
    Map<Long, IndexedRecord> runs = new LinkedHashMap<>();
    for (long seq : index.imageDigest(digest)) {
      Optional<IndexedRecord> run = record(index, seq, size);
      if (run.isEmpty()) {
        continue;
      }
      if (run.get().runUid() == null) {
        runs.put(seq, run.get());
        continue;
      }
      for (long other : index.runUid(run.get().runUid())) {
        record(index, other, size).ifPresent(r -> runs.put(r.seq(), r));
      }
    }
    TreeSet<String> decisionIds = new TreeSet<>();
    TreeSet<String> triggerIds = new TreeSet<>();
    runs.values().forEach(r -> addLinks(r, decisionIds, triggerIds));
    Map<Long, IndexedRecord> decisions = new LinkedHashMap<>();
    for (String decisionId : decisionIds) {
      for (long seq : index.decisionId(decisionId)) {
        record(index, seq, size)
            .filter(r -> r.kind().equals(Role.DECISION.wire()))
            .ifPresent(r -> decisions.put(r.seq(), r));
      }
    }
    decisions.values().forEach(r -> addLinks(r, decisionIds, triggerIds));
    Map<Long, IndexedRecord> triggers = new LinkedHashMap<>();
    for (String triggerId : triggerIds) {
      for (long seq : index.triggerId(triggerId)) {
        record(index, seq, size)
            .filter(r -> r.kind().equals(Role.TRIGGER.wire()))
            .ifPresent(r -> triggers.put(r.seq(), r));
      }
    }
    List<Link> chain = new ArrayList<>();
    add(chain, Role.RUN, runs);
    add(chain, Role.DECISION, decisions);
    add(chain, Role.TRIGGER, triggers);
    return chain;
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
