package dev.tollgate.ledger.checkpoint;

import static dev.tollgate.ledger.checkpoint.SourceStatement.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Accounts for every source offset (issue 17, section 2). Each checkpoint record states, in its
 * payload's {@code sources}, for each source topic partition consumed since the checkpoint before,
 * the range of offsets consumed, {@code [fromOffset, nextOffset)}, and the offsets in it that
 * repeated an event already recorded with the same content ({@code duplicates}, each with the seq
 * of that record). A range starts exactly where the partition's previous range ended, so a writer
 * cannot jump over offsets without the jump showing as unexplained offsets: {@link SourceGap}s.
 *
 * <p>What this proves from the ledger alone: every partition's ranges are contiguous from the first
 * offset the ledger accounted; every recorded source offset lies in exactly one range and is
 * recorded once; nothing is recorded at an offset an earlier checkpoint already accounted. What it
 * cannot prove alone: whether an unexplained offset held a data record (a skipped event) or none (a
 * transactional producer's control marker, or a record of an aborted transaction, which a
 * read_committed consumer never sees). That takes the source topic: {@code verify
 * --source-bootstrap} reads those offsets. Checkpoints written before this rule carry no {@code
 * sources}; accounting starts at the first checkpoint that states them, and every checkpoint after
 * it must.
 *
 * <p>The writer feeds duplicates through {@link #duplicate}; every other input comes from the
 * records themselves, so the auditor and the writer compute the same thing. Not thread-safe.
 */
public final class SourceAccounting {

  /** The payload member of a checkpoint that states the ranges. */
  public static final String SOURCES_FIELD = "sources";

  /** Gaps kept for reporting; more are counted, not kept. */
  static final int MAX_GAPS_KEPT = 10_000;

  /** A source topic partition. */
  public record Partition(String topic, int partition) implements Comparable<Partition> {
    private static final Comparator<Partition> ORDER =
        Comparator.comparing(Partition::topic).thenComparingInt(Partition::partition);

    @Override
    public int compareTo(Partition other) {
      return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
      return topic + "/" + partition;
    }
  }

  /** A source offset whose event the ledger already held with the same content. */
  public record Duplicate(long offset, long seq) {}

  /** What survives a commit: the state a rollback returns to and the data directory keeps. */
  public static final class State {
    final TreeMap<Partition, Long> accounted = new TreeMap<>();
    final TreeMap<Partition, Long> firstAccounted = new TreeMap<>();
    final TreeMap<Partition, TreeSet<Long>> pending = new TreeMap<>();
    final TreeMap<Partition, TreeMap<Long, Long>> pendingDuplicates = new TreeMap<>();
    long statedFromSeq = -1;

    /** The state of a ledger with no records. */
    public static State empty() {
      return new State();
    }

    State copy() {
      State copy = new State();
      copy.accounted.putAll(accounted);
      copy.firstAccounted.putAll(firstAccounted);
      pending.forEach((p, offsets) -> copy.pending.put(p, new TreeSet<>(offsets)));
      pendingDuplicates.forEach((p, d) -> copy.pendingDuplicates.put(p, new TreeMap<>(d)));
      copy.statedFromSeq = statedFromSeq;
      return copy;
    }

    /** As JSON, for the writer's data directory (no pending duplicates: none survive a commit). */
    public JsonNode toJson() {
      return SourceAccountingStateJson.write(this);
    }

    /**
     * Reads {@link #toJson()} back.
     *
     * @throws IllegalArgumentException when it is not that form
     */
    public static State fromJson(JsonNode json) {
      return SourceAccountingStateJson.read(json);
    }
  }

  private State state;
  private State committed;
  private final List<SourceGap> gaps = new ArrayList<>();
  private long gapOffsets;
  private long gapCount;

  private SourceAccounting(State state) {
    this.state = state;
    this.committed = state.copy();
  }

  /** Accounting of a ledger verified from its first record. */
  public static SourceAccounting fromStart() {
    return new SourceAccounting(State.empty());
  }

  /** Accounting continued from a state kept when the records up to the head were verified. */
  public static SourceAccounting resuming(State kept) {
    return new SourceAccounting(kept.copy());
  }

  /** A copy of the current state (including records not yet committed). */
  public State state() {
    return state.copy();
  }

  /**
   * Takes a verified source record: its offset must lie beyond what earlier checkpoints accounted
   * for its partition and not repeat an offset recorded since.
   */
  void record(long seq, LedgerRecord.SourcePosition source) throws ChainException {
    Partition p = new Partition(source.topic(), source.partition());
    Long accounted = state.accounted.get(p);
    if (accounted != null && source.offset() < accounted) {
      throw invalid(
          seq,
          "it records offset "
              + source.offset()
              + " of "
              + p
              + ", which an earlier checkpoint accounted (the partition's range ended at "
              + accounted
              + ")");
    }
    if (!state.pending.computeIfAbsent(p, k -> new TreeSet<>()).add(source.offset())) {
      throw invalid(seq, "offset " + source.offset() + " of " + p + " is recorded twice");
    }
  }

  /**
   * Notes that the event at {@code source} was not recorded because the record at {@code seq} holds
   * it with the same content; the next checkpoint states it. Writer only.
   */
  public void duplicate(LedgerRecord.SourcePosition source, long seq) {
    Partition p = new Partition(source.topic(), source.partition());
    Long accounted = state.accounted.get(p);
    if ((accounted != null && source.offset() < accounted)
        || state.pending.getOrDefault(p, new TreeSet<>()).contains(source.offset())) {
      throw new IllegalArgumentException(
          "offset " + source.offset() + " of " + p + " is accounted");
    }
    state.pendingDuplicates.computeIfAbsent(p, k -> new TreeMap<>()).put(source.offset(), seq);
  }

  /**
   * Whether this source offset is accounted already: recorded, or stated as a duplicate, by a
   * checkpoint or since the last one. The consumer reads it again only after its position moved
   * back (a consumer group reset); its event is then in the ledger already.
   */
  public boolean accounts(LedgerRecord.SourcePosition source) {
    Partition p = new Partition(source.topic(), source.partition());
    Long accounted = state.accounted.get(p);
    return (accounted != null && source.offset() < accounted)
        || state.pending.getOrDefault(p, new TreeSet<>()).contains(source.offset())
        || state.pendingDuplicates.getOrDefault(p, new TreeMap<>()).containsKey(source.offset());
  }

  /** Whether duplicates wait for a checkpoint to state them. */
  public boolean hasPendingDuplicates() {
    return !state.pendingDuplicates.isEmpty();
  }

  /**
   * What the next checkpoint states: for each partition consumed since the last one, {@code
   * fromOffset} where the partition's previous range ended (or its first consumed offset), {@code
   * nextOffset} one past the last offset consumed, and the duplicates.
   */
  public ArrayNode statement() {
    return SourceStatement.write(state.pending, state.pendingDuplicates, state.accounted);
  }

  /**
   * Checks what the checkpoint at {@code seq} states ({@code sources}, or null for a checkpoint
   * written before source accounting) against the records since the last one, names the offsets
   * nothing explains, and starts the next ranges where these end.
   */
  void checkpoint(long seq, JsonNode sources) throws ChainException {
    if (sources == null) {
      if (state.statedFromSeq >= 0) {
        throw invalid(
            seq,
            "the checkpoint states no source ranges, but every checkpoint from seq "
                + state.statedFromSeq
                + " on must");
      }
      // Before accounting: the records' offsets are taken as consumed, nothing is proven.
      state.pending.forEach(
          (p, offsets) -> {
            state.accounted.merge(p, offsets.last() + 1, Math::max);
            state.firstAccounted.putIfAbsent(p, offsets.first());
          });
      state.pending.clear();
      state.pendingDuplicates.clear();
      return;
    }
    if (!sources.isArray()) {
      throw invalid(seq, "'sources' is an array of ranges");
    }
    Partition previous = null;
    TreeSet<Partition> stated = new TreeSet<>();
    List<SourceGap> found = new ArrayList<>();
    for (JsonNode range : sources) {
      Partition p = SourceStatement.partition(seq, range);
      if (previous != null && previous.compareTo(p) >= 0) {
        throw invalid(seq, "the source ranges are not in strict topic, partition order at " + p);
      }
      previous = p;
      stated.add(p);
      found.addAll(range(seq, p, range));
    }
    for (Partition p : state.pending.keySet()) {
      if (!stated.contains(p)) {
        throw invalid(
            seq,
            "records of "
                + p
                + " at offsets "
                + SourceStatement.describe(state.pending.get(p))
                + " lie in no source range of the checkpoint");
      }
    }
    for (Partition p : stated) {
      state.pending.remove(p);
    }
    state.pendingDuplicates.clear();
    if (state.statedFromSeq < 0) {
      state.statedFromSeq = seq;
    }
    for (SourceGap gap : found) {
      gapCount++;
      gapOffsets += gap.size();
      if (gaps.size() < MAX_GAPS_KEPT) {
        gaps.add(gap);
      }
    }
  }

  private List<SourceGap> range(long seq, Partition p, JsonNode range) throws ChainException {
    long from = SourceStatement.offset(seq, range, "fromOffset");
    long next = SourceStatement.offset(seq, range, "nextOffset");
    TreeSet<Long> recorded = state.pending.getOrDefault(p, new TreeSet<>());
    Long accounted = state.accounted.get(p);
    if (accounted != null && from != accounted) {
      throw invalid(
          seq,
          "the range of "
              + p
              + " starts at "
              + from
              + ", not where the previous one ended ("
              + accounted
              + ")");
    }
    if (accounted == null && !recorded.isEmpty() && from > recorded.first()) {
      throw invalid(seq, "the range of " + p + " starts after its first recorded offset");
    }
    if (next <= from || (!recorded.isEmpty() && next <= recorded.last())) {
      throw invalid(
          seq,
          "the range of "
              + p
              + " ["
              + from
              + ", "
              + next
              + ") does not hold every offset recorded since the last checkpoint");
    }
    TreeSet<Long> explained = new TreeSet<>(recorded);
    SourceStatement.readDuplicates(
        seq, p, range.get("duplicates"), from, next, recorded, explained);
    state.accounted.put(p, next);
    state.firstAccounted.putIfAbsent(p, from);
    return SourceStatement.unexplained(seq, p, from, next, explained);
  }

  /** The gaps named so far, at most {@value #MAX_GAPS_KEPT}, in ledger order. */
  public List<SourceGap> gaps() {
    return Collections.unmodifiableList(gaps);
  }

  /** How many gaps were found (kept or not). */
  public long gapCount() {
    return gapCount;
  }

  /** How many source offsets the gaps span. */
  public long gapOffsets() {
    return gapOffsets;
  }

  /** The seq of the first checkpoint that stated source ranges, if any. */
  public Optional<Long> statedFromSeq() {
    return state.statedFromSeq < 0 ? Optional.empty() : Optional.of(state.statedFromSeq);
  }

  /**
   * Per partition, the accounted range so far: first offset and the next offset after the last
   * checkpoint. Partitions only recorded since the last checkpoint are absent.
   */
  public Map<Partition, long[]> accounted() {
    Map<Partition, long[]> ranges = new TreeMap<>();
    state.accounted.forEach(
        (p, next) -> ranges.put(p, new long[] {state.firstAccounted.get(p), next}));
    return ranges;
  }

  /** Per partition, the source offsets recorded since the last checkpoint: not yet accounted. */
  public Map<Partition, Integer> uncovered() {
    Map<Partition, Integer> counts = new TreeMap<>();
    state.pending.forEach((p, offsets) -> counts.put(p, offsets.size()));
    return counts;
  }

  /** Every partition the ledger has consumed from (accounted or recorded since). */
  public Set<Partition> consumedPartitions() {
    TreeSet<Partition> all = new TreeSet<>(state.accounted.keySet());
    all.addAll(state.pending.keySet());
    return all;
  }

  /** Makes the state the one {@link #rollback()} returns to. */
  void markCommitted() {
    committed = state.copy();
  }

  /** Back to the state of the last {@link #markCommitted()}. */
  void rollback() {
    state = committed.copy();
  }
}
