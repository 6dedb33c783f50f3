/**
 * The ledger service: {@link dev.tollgate.ledger.writer.LedgerWriter} sequences recovery, the
 * append step and the port's transactions on its own thread; {@link
 * dev.tollgate.ledger.writer.LedgerService} runs it in Quarkus and publishes its metrics; {@link
 * dev.tollgate.ledger.writer.LedgerReadiness} and the HTTP resources serve its committed state.
 *
 * <p>Threat-model rule owned here: <b>fail closed and say so</b>. Only committed state is served; a
 * writer that was fenced, found its chain invalid, refused a checkpoint, has no key in force or
 * failed stops writing for good, is not ready ({@code /q/health/ready}), shows 0 in {@code
 * tollgate_ledger_writer_writing} and logs why; a failed transaction is rolled back and retried,
 * never half-applied.
 */
package dev.tollgate.ledger.writer;
