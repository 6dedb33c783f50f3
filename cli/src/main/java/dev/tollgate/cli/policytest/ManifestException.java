package dev.tollgate.cli.policytest;

/**
 * The test manifest, a policy or a trigger it names cannot be read: nothing is tested. The message
 * names the file and the field.
 */
public final class ManifestException extends Exception {
  private static final long serialVersionUID = 1L;

  public ManifestException(String message) {
    super(message);
  }
}
