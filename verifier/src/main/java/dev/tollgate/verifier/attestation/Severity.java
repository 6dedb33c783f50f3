package dev.tollgate.verifier.attestation;

import java.util.Locale;

/** Vulnerability severity as Grype and Trivy name it (Grype's Negligible counts as Low). */
public enum Severity {
  CRITICAL,
  HIGH,
  MEDIUM,
  LOW,
  UNKNOWN;

  /** Reads a scanner's severity string; anything unrecognised is {@link #UNKNOWN}. */
  public static Severity parse(String value) {
    String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
    switch (v) {
      case "CRITICAL":
        return CRITICAL;
      case "HIGH":
        return HIGH;
      case "MEDIUM":
      case "MODERATE":
        return MEDIUM;
      case "LOW":
      case "NEGLIGIBLE":
        return LOW;
      default:
        return UNKNOWN;
    }
  }
}
