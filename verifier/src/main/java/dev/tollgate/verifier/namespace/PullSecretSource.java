package dev.tollgate.verifier.namespace;

import java.util.regex.Pattern;

/**
 * A registry pull Secret a policy may name ({@code spec.run.pullSecret}) and the Secret an
 * administrator designated as its source. The verifier reads that one Secret (a Role with its
 * resourceNames in the source namespace) and copies it into the tenant namespaces of the policies
 * that name it; it reads no other Secret.
 *
 * @param name the name a policy uses
 * @param namespace the source Secret's namespace
 * @param secret the source Secret's name
 */
public record PullSecretSource(String name, String namespace, String secret) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public PullSecretSource {
    if (name == null || !LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "pull Secret name '" + name + "' is not a DNS label of at most 40 characters");
    }
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("'" + namespace + "' is not a namespace name");
    }
    if (secret == null || !SUBDOMAIN.matcher(secret).matches()) {
      throw new IllegalArgumentException("'" + secret + "' is not a Secret name");
    }
  }

  /**
   * Reads {@code name=namespace/secret}, as {@code tollgate.verifier.tenants.pull-secrets} lists
   * them.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static PullSecretSource parse(String entry) {
    int eq = entry.indexOf('=');
    int slash = entry.indexOf('/', eq + 1);
    if (eq < 1 || slash < 0) {
      throw new IllegalArgumentException(
          "tollgate.verifier.tenants.pull-secrets entry '"
              + entry
              + "' is not name=namespace/secret");
    }
    return new PullSecretSource(
        entry.substring(0, eq).strip(),
        entry.substring(eq + 1, slash).strip(),
        entry.substring(slash + 1).strip());
  }

  @Override
  public String toString() {
    return name + "=" + namespace + "/" + secret;
  }
}
