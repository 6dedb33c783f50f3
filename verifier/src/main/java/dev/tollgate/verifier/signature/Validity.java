package dev.tollgate.verifier.signature;

import java.time.Instant;
import java.util.Optional;

/**
 * When a key or identity is trusted: from {@code notBefore} (inclusive) until {@code notAfter}
 * (exclusive), either open. Overlapping windows let a new key take over from an old one without
 * downtime.
 */
public record Validity(Optional<Instant> notBefore, Optional<Instant> notAfter) {
  public Validity {
    if (notBefore.isPresent()
        && notAfter.isPresent()
        && !notBefore.get().isBefore(notAfter.get())) {
      throw new IllegalArgumentException("notBefore must be before notAfter");
    }
  }

  public static Validity always() {
    return new Validity(Optional.empty(), Optional.empty());
  }

  public static Validity between(Instant notBefore, Instant notAfter) {
    return new Validity(Optional.ofNullable(notBefore), Optional.ofNullable(notAfter));
  }

  /** Empty when valid at {@code at}; otherwise the reason it is not. */
  Optional<SignatureReason> check(Instant at) {
    if (notBefore.isPresent() && at.isBefore(notBefore.get())) {
      return Optional.of(SignatureReason.KEY_NOT_YET_VALID);
    }
    if (notAfter.isPresent() && !at.isBefore(notAfter.get())) {
      return Optional.of(SignatureReason.KEY_EXPIRED);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "["
        + notBefore.map(Instant::toString).orElse("-")
        + ", "
        + notAfter.map(Instant::toString).orElse("-")
        + ")";
  }
}
