package dev.tollgate.verifier.signature;

/** A signature, payload or bundle that cannot be read; becomes a MALFORMED_SIGNATURE check. */
public final class MalformedSignatureException extends Exception {
  private static final long serialVersionUID = 1L;

  MalformedSignatureException(String message) {
    super(message);
  }
}
