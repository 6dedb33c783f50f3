package dev.tollgate.verifier.oci;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A repository in a registry, e.g. {@code registry.example.com:5000/acme/pipelines}. For an OCI
 * image layout the registry is {@link #LAYOUT}.
 */
public record Repository(String registry, String name) {
  /** The registry name used for repositories read from an OCI image layout directory. */
  public static final String LAYOUT = "oci-layout";

  private static final Pattern NAME =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]{1,5})?");

  public Repository {
    if (registry == null || !(REGISTRY.matcher(registry).matches() || LAYOUT.equals(registry))) {
      throw new IllegalArgumentException("invalid registry host: " + registry);
    }
    if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid repository name: " + name);
    }
  }

  /** Validating factory for untrusted input. */
  public static Repository of(String registry, String name) throws OciException {
    try {
      return new Repository(registry, name);
    } catch (IllegalArgumentException e) {
      throw new OciException(
          OciReason.INVALID_REFERENCE,
          e.getMessage(),
          Map.of("registry", String.valueOf(registry), "repository", String.valueOf(name)));
    }
  }

  @Override
  public String toString() {
    return registry + "/" + name;
  }
}
