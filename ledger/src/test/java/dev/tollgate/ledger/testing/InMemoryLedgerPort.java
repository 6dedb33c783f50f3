package dev.tollgate.ledger.testing;

import dev.tollgate.ledger.append.SourceRange;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.port.LedgerPort;
import dev.tollgate.ledger.port.LedgerSession;
import dev.tollgate.ledger.port.PortException;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A broker in memory, as the ledger writer sees it through its {@link LedgerPort}: source topics of
 * one partition each, a consumer group position per topic, the ledger topic, and one transactional
 * id whose newest session fences the older ones. Kafka's rules that matter to the writer hold here:
 * records and consumed offsets commit together or not at all; an aborted transaction's records and
 * every transaction marker take offsets, so seq and offset differ; a commit that reached the broker
 * but answered with an error cannot be aborted any more. Failures are scheduled per operation, so
 * each of the writer's failure branches is reached on purpose, in milliseconds.
 */
public final class InMemoryLedgerPort implements LedgerPort {

  /** The operations a failure can be scheduled for. */
  public enum Operation {
    OPEN,
    READ,
    POLL,
    COMMIT,
    ABORT
  }

  private record Entry(long offset, byte[] value) {}

  private final Map<String, LedgerRecord.Kind> kinds;
  private final Map<String, List<SourceEvent>> sources = new HashMap<>();
  private final Map<String, Long> committedPositions = new HashMap<>();
  private final List<Entry> ledger = new ArrayList<>();
  private final Map<Operation, Deque<PortException.Reason>> faults = new EnumMap<>(Operation.class);
  private long ledgerEnd;
  private int epoch;
  private int sessions;
  private boolean commitReachesTopicThenFails;
  private boolean positionsLost;
  private String positionLost;
  private Duration retention;
  private Instant eventTimestamp;
  private int commits;

  public InMemoryLedgerPort(Map<String, LedgerRecord.Kind> sourceTopics) {
    this.kinds = Map.copyOf(sourceTopics);
    sourceTopics.keySet().forEach(topic -> sources.put(topic, new ArrayList<>()));
    for (Operation operation : Operation.values()) {
      faults.put(operation, new ArrayDeque<>());
    }
  }

  /** Produces source events to {@code topic}, one after another, each with its CloudEvents id. */
  public synchronized void send(String topic, List<String> eventIds) {
    List<SourceEvent> events = sources.get(topic);
    for (String id : eventIds) {
      events.add(
          new SourceEvent(
              kinds.get(topic),
              id,
              "dev.tollgate.trigger.v1",
              new LedgerRecord.SourcePosition(topic, 0, events.size()),
              Chains.triggerData("github:" + id)));
    }
    notifyAll();
  }

  /** How many transactions committed so far. */
  public synchronized int commits() {
    return commits;
  }

  /** The committed values of the ledger topic, in order. */
  public synchronized List<byte[]> ledgerValues() {
    return ledger.stream().map(Entry::value).toList();
  }

  /** Cuts the ledger topic to its first {@code keep} records, as a topic recreated shorter. */
  public synchronized void truncateLedger(int keep) {
    ledger.subList(keep, ledger.size()).clear();
  }

  /**
   * The consumer group loses its committed positions, as when it is deleted or its offsets expire:
   * the next session finds none.
   */
  public synchronized void loseCommittedPositions() {
    positionsLost = true;
    committedPositions.clear();
  }

  /** The broker timestamp every source event carries from now on. */
  public synchronized void eventTimestamp(Instant timestamp) {
    this.eventTimestamp = timestamp;
  }

  /** The retention.ms the broker reports for the source topics. */
  public synchronized void sourceRetention(Duration retention) {
    this.retention = retention;
  }

  /** The position the consumer group committed for a source topic. */
  public synchronized long committedPosition(String topic) {
    return committedPositions.getOrDefault(topic, 0L);
  }

  /** Sessions opened so far: one per producer lifetime of a writer. */
  public synchronized int sessionsOpened() {
    return sessions;
  }

  /** The next call of {@code operation} fails for {@code reason}. */
  public synchronized void failNext(Operation operation, PortException.Reason reason) {
    faults.get(operation).add(reason);
  }

  /**
   * The next commit reaches the topic, records and offsets, but answers with an error, as a commit
   * whose answer timed out; the session then cannot abort.
   */
  public synchronized void commitReachesTopicThenFails() {
    commitReachesTopicThenFails = true;
  }

  @Override
  public synchronized LedgerSession open() throws PortException {
    fault(Operation.OPEN);
    epoch++;
    sessions++;
    return new Session(epoch);
  }

  private void fault(Operation operation) throws PortException {
    PortException.Reason reason = faults.get(operation).poll();
    if (reason != null) {
      throw new PortException(reason, "scheduled " + operation + " failure (" + reason + ")");
    }
  }

  private final class Session implements LedgerSession {
    private Instant lastPollOldest;

    private final int sessionEpoch;
    private final Map<String, Long> positions = new HashMap<>();
    private volatile boolean wokenUp;
    private boolean cannotAbort;

    Session(int sessionEpoch) {
      this.sessionEpoch = sessionEpoch;
    }

    @Override
    public <E extends Exception> long readLedger(
        long fromOffset, LedgerTopicReader.Visitor<E> visitor) throws LedgerTopicException, E {
      List<Entry> entries;
      synchronized (InMemoryLedgerPort.this) {
        try {
          fault(Operation.READ);
        } catch (PortException e) {
          throw new LedgerTopicException(e.getMessage());
        }
        entries = ledger.stream().filter(e -> e.offset() >= fromOffset).toList();
      }
      long visited = 0;
      for (Entry entry : entries) {
        if (wokenUp) {
          throw new LedgerTopicException("reading the ledger was stopped");
        }
        visitor.visit(entry.offset(), entry.value());
        visited++;
      }
      return visited;
    }

    @Override
    public void subscribe(Set<SourceAccounting.Partition> consumedBefore) {
      synchronized (InMemoryLedgerPort.this) {
        positionLost = null;
        for (String topic : sources.keySet()) {
          if (positionsLost && consumedBefore.contains(new SourceAccounting.Partition(topic, 0))) {
            positionLost = topic + "-0";
          }
          positions.put(topic, positionsLost ? 0 : committedPosition(topic));
        }
      }
    }

    @Override
    public Optional<Instant> oldestPolled() {
      synchronized (InMemoryLedgerPort.this) {
        return Optional.ofNullable(lastPollOldest);
      }
    }

    @Override
    public Optional<Duration> sourceRetention() {
      return Optional.ofNullable(retention);
    }

    @Override
    public List<SourceEvent> poll(Duration timeout) throws PortException {
      synchronized (InMemoryLedgerPort.this) {
        fault(Operation.POLL);
        if (positionLost != null) {
          throw new PortException(
              PortException.Reason.POSITION_LOST,
              "the consumer group has no committed position for [" + positionLost + "]");
        }
        List<SourceEvent> events = available();
        if (events.isEmpty() && !wokenUp) {
          try {
            InMemoryLedgerPort.this.wait(timeout.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          events = available();
        }
        if (wokenUp) {
          throw new PortException(PortException.Reason.WOKEN_UP, "poll woken up");
        }
        events.forEach(e -> positions.put(e.source().topic(), e.source().offset() + 1));
        lastPollOldest = events.isEmpty() ? null : eventTimestamp;
        return events;
      }
    }

    private List<SourceEvent> available() {
      List<SourceEvent> events = new ArrayList<>();
      positions.forEach(
          (topic, position) -> {
            List<SourceEvent> all = sources.get(topic);
            events.addAll(all.subList((int) Math.min(position, all.size()), all.size()));
          });
      return events;
    }

    @Override
    public long lag() {
      synchronized (InMemoryLedgerPort.this) {
        long lag = 0;
        for (Map.Entry<String, Long> position : positions.entrySet()) {
          lag += Math.max(0, sources.get(position.getKey()).size() - position.getValue());
        }
        return lag;
      }
    }

    @Override
    public List<Long> commit(StagedBatch batch) throws PortException {
      synchronized (InMemoryLedgerPort.this) {
        requireNotFenced();
        if (commitReachesTopicThenFails) {
          commitReachesTopicThenFails = false;
          write(batch);
          cannotAbort = true;
          throw new PortException(
              PortException.Reason.FAILED, "the commit's answer timed out; it reached the topic");
        }
        try {
          fault(Operation.COMMIT);
        } catch (PortException e) {
          // The records were sent before the commit failed: they take offsets, aborted.
          ledgerEnd += batch.records().size();
          throw e;
        }
        return write(batch);
      }
    }

    private List<Long> write(StagedBatch batch) {
      List<Long> offsets = new ArrayList<>();
      for (StagedRecord record : batch.records()) {
        ledger.add(new Entry(ledgerEnd, record.value()));
        offsets.add(ledgerEnd++);
      }
      ledgerEnd++; // the commit marker
      commits++;
      for (SourceRange range : batch.consumed()) {
        committedPositions.put(range.topic(), range.nextOffset());
      }
      return offsets;
    }

    @Override
    public void abort() throws PortException {
      synchronized (InMemoryLedgerPort.this) {
        if (cannotAbort) {
          throw new PortException(
              PortException.Reason.FAILED, "cannot abort: the previous commit must be retried");
        }
        requireNotFenced();
        fault(Operation.ABORT);
        ledgerEnd++; // the abort marker
      }
    }

    private void requireNotFenced() throws PortException {
      if (sessionEpoch != epoch) {
        throw new PortException(
            PortException.Reason.FENCED, "a newer session holds the transactional id");
      }
    }

    @Override
    public void rewind(List<SourceRange> consumed) {
      synchronized (InMemoryLedgerPort.this) {
        consumed.forEach(range -> positions.put(range.topic(), range.firstOffset()));
      }
    }

    @Override
    public void wakeup() {
      wokenUp = true;
      synchronized (InMemoryLedgerPort.this) {
        InMemoryLedgerPort.this.notifyAll();
      }
    }

    @Override
    public void close() {
      // Nothing held: an open transaction simply never commits.
    }
  }
}
