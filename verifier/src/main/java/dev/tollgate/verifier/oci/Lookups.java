package dev.tollgate.verifier.oci;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for registry lookups that run concurrently (discovery, attestations of task images). */
public final class Lookups {
  private Lookups() {}

  /**
   * The lookup's result, or the registry failure it met, rethrown as is. Waits through interrupts
   * (the lookups are bounded by the client's timeouts) and restores the interrupt flag afterwards.
   */
  public static <T> T join(Future<T> lookup) throws OciException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return lookup.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OciException) {
        throw (OciException) e.getCause();
      }
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IllegalStateException("registry lookup failed", e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
