package dev.tollgate.verifier.signature;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may sign: named keys and keyless identities, and how many distinct ones must have signed (N
 * of M). Keyless identities need the trusted root (Fulcio CAs, Rekor and TSA keys) as a file:
 * nothing is fetched over the network, so verification works air-gapped.
 */
public record TrustPolicy(
    List<TrustedKey> keys,
    List<TrustedIdentity> identities,
    int threshold,
    Optional<Path> trustedRoot) {

  public TrustPolicy {
    keys = List.copyOf(keys);
    identities = List.copyOf(identities);
    Set<String> names = new HashSet<>();
    keys.forEach(k -> requireUnique(names, k.name()));
    identities.forEach(i -> requireUnique(names, i.name()));
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a trust policy names at least one key or identity");
    }
    if (threshold < 1 || threshold > names.size()) {
      throw new IllegalArgumentException(
          "threshold must be between 1 and the number of signers (" + names.size() + ")");
    }
    if (!identities.isEmpty() && trustedRoot.isEmpty()) {
      throw new IllegalArgumentException("keyless identities need a trusted root file");
    }
  }

  /** Any one of these keys. */
  public static TrustPolicy anyOf(List<TrustedKey> keys) {
    return new TrustPolicy(keys, List.of(), 1, Optional.empty());
  }

  private static void requireUnique(Set<String> names, String name) {
    if (!names.add(name)) {
      throw new IllegalArgumentException("signer name used twice: " + name);
    }
  }
}
