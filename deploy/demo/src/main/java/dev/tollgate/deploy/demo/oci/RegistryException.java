package dev.tollgate.deploy.demo.oci;

/** The registry refused or could not be reached; the message names the request and the answer. */
public final class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
