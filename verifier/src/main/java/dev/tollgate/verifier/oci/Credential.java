package dev.tollgate.verifier.oci;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Username and password (or identity token) for one registry. {@code toString()} shows the username
 * only.
 */
public record Credential(String username, Secret password) {
  public Credential {
    if (username == null || password == null) {
      throw new IllegalArgumentException("a credential has a username and a password");
    }
  }

  /** The value of an {@code Authorization: Basic} header. */
  String basicHeader() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password.reveal()).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credential[username=" + username + ", password=redacted]";
  }
}
