package dev.tollgate.ledger.port;

import dev.tollgate.ledger.append.SourceRange;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One producer lifetime of the writer: read the ledger back, then poll the source topics and commit
 * one transaction per batch, records and consumed offsets together or not at all. Used by the
 * writer thread only, except {@link #wakeup()}.
 */
public interface LedgerSession extends AutoCloseable {

  /**
   * Hands every committed ledger record from {@code fromOffset} to the end the topic has when the
   * call starts to the visitor, in order.
   *
   * @throws LedgerTopicException when the topic cannot be read or the session was woken up
   */
  <E extends Exception> long readLedger(long fromOffset, LedgerTopicReader.Visitor<E> visitor)
      throws LedgerTopicException, E;

  /**
   * Starts reading the source topics from the positions the last committed transaction left. A
   * partition without a committed position starts at its beginning when it is not among {@code
   * consumedBefore} (a brand-new ledger, a new partition); for one that is, {@link #poll} fails
   * with {@link PortException.Reason#POSITION_LOST}, as it does for a committed position that
   * retention deleted.
   *
   * @param consumedBefore the source partitions the ledger has records or accounted ranges of
   */
  void subscribe(Set<SourceAccounting.Partition> consumedBefore) throws PortException;

  /** The next source events, possibly none after {@code timeout}; in offset order per partition. */
  List<SourceEvent> poll(Duration timeout) throws PortException;

  /**
   * The broker timestamp of the oldest record the last {@link #poll} returned, empty when it
   * returned none (caught up): how old the oldest event not yet recorded is, at most.
   */
  Optional<Instant> oldestPolled();

  /**
   * The shortest {@code retention.ms} of the source topics, when the broker tells it (the writer's
   * user may lack DescribeConfigs); empty when unknown or unlimited.
   */
  Optional<Duration> sourceRetention();

  /** Source events not yet consumed, summed over the assigned partitions, as of the last poll. */
  long lag() throws PortException;

  /**
   * Writes the batch's records to the ledger topic and its consumed offsets to the consumer group,
   * in one transaction, and commits it.
   *
   * @return the ledger topic offset of each record, in order
   * @throws PortException when the transaction did not commit (or may not have: a commit that timed
   *     out leaves the session unable to abort, so the writer reads the topic back)
   */
  List<Long> commit(StagedBatch batch) throws PortException;

  /**
   * Aborts the transaction a failed {@link #commit} left open.
   *
   * @throws PortException when the session cannot go on and must be replaced
   */
  void abort() throws PortException;

  /** Moves the source positions back to the first offset of each range, to poll them again. */
  void rewind(List<SourceRange> consumed);

  /**
   * Makes a blocking read or poll return with {@link PortException.Reason#WOKEN_UP}; any thread.
   */
  void wakeup();

  /** Closes the session; an open transaction is never committed. */
  @Override
  void close();
}
