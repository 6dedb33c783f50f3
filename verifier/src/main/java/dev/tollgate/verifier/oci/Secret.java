package dev.tollgate.verifier.oci;

import java.util.Arrays;

/**
 * A password or token. Its {@link #toString()} prints no secret, so it cannot leak through logs,
 * exception messages or a debugger's variable view by accident; reading it is an explicit call.
 */
public final class Secret {
  private final char[] value;

  private Secret(char[] value) {
    this.value = value.clone();
  }

  public static Secret of(String value) {
    if (value == null) {
      throw new IllegalArgumentException("a secret is not null");
    }
    return new Secret(value.toCharArray());
  }

  /** The secret's characters; use only to build an Authorization header. */
  public String reveal() {
    return new String(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && Arrays.equals(value, ((Secret) o).value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
