package dev.tollgate.ledger.port;

import dev.tollgate.ledger.append.SourceRange;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import java.time.Duration;
import java.util.List;

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

  /** Starts reading the source topics from the positions the last committed transaction left. */
  void subscribe() throws PortException;

  /** The next source events, possibly none after {@code timeout}; in offset order per partition. */
  List<SourceEvent> poll(Duration timeout) throws PortException;

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
