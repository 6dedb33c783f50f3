package dev.tollgate.verifier.signature;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may sign: named keys and keyless identities, and how many distinct ones must have signed (N
 * of M). Keyless identities need the trusted root (Fulcio CAs, Rekor and TSA keys) as a file:
 * nothing is fetched over the network, so verification works air-gapped.
 *
 * <p>This is the one place trust is judged. The format verifiers establish what a signature proves
 * cryptographically (these bytes verify with that key, this certificate chains to the trusted
 * root); whether that key or certificate identity is trusted, whether it is trusted now, and
 * whether enough distinct signers signed, is answered here and nowhere else.
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

  /** Whether keyless signatures can be trusted at all (the policy names an identity). */
  boolean trustsIdentities() {
    return !identities.isEmpty();
  }

  /** The first trusted key {@code signature} over {@code message} verifies with. */
  Optional<TrustedKey> keyFor(byte[] message, byte[] signature) {
    for (TrustedKey key : keys) {
      if (SignatureAlgorithms.verify(key.key(), message, signature)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  /**
   * The distinct trusted keys any of {@code signatures} over {@code message} verifies with, in the
   * policy's order: a DSSE envelope may carry a signature of each signer.
   */
  List<TrustedKey> keysFor(byte[] message, List<byte[]> signatures) {
    List<TrustedKey> out = new ArrayList<>();
    for (TrustedKey key : keys) {
      for (byte[] signature : signatures) {
        if (SignatureAlgorithms.verify(key.key(), message, signature)) {
          out.add(key);
          break;
        }
      }
    }
    return List.copyOf(out);
  }

  /** The names of the trusted keys, for evidence of what was tried. */
  String keyNames() {
    return String.join(",", keys.stream().map(TrustedKey::name).toList());
  }

  /**
   * Whether a signature that verified with the trusted {@code key} counts at {@code now}.
   *
   * @param what how messages name the signed thing
   */
  SignatureCheck judgeKey(TrustedKey key, Instant now, Map<String, String> evidence, String what) {
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    ev.put("key", key.name());
    ev.put("keyFingerprint", key.fingerprint());
    return withinValidity(key.name(), key.validity(), now, "key", ev, what);
  }

  /**
   * Whether a certificate that verified against the trusted root names a trusted identity (issuer
   * and SAN) that is valid at {@code now}: the keyless decision for signatures and attestations
   * alike.
   *
   * @param noun how messages name the certificate
   * @param what how messages name the signed thing
   */
  SignatureCheck judgeCertificate(
      X509Certificate cert, Instant now, Map<String, String> evidence, String noun, String what) {
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    String san = FulcioCertificates.subjectAlternativeName(cert).orElse("");
    String issuer = FulcioCertificates.issuer(cert).orElse("");
    ev.put("certificateIdentity", san);
    ev.put("certificateIssuer", issuer);
    boolean issuerKnown = false;
    for (TrustedIdentity identity : identities) {
      if (!identity.issuer().matches(issuer)) {
        continue;
      }
      issuerKnown = true;
      if (identity.subject().matches(san)) {
        ev.put("identity", identity.name());
        return withinValidity(identity.name(), identity.validity(), now, "identity", ev, what);
      }
    }
    if (issuerKnown) {
      return SignatureCheck.failed(
          SignatureReason.IDENTITY_MISMATCH,
          null,
          noun + " identity '" + san + "' matches no trusted identity for issuer " + issuer,
          ev);
    }
    return SignatureCheck.failed(
        SignatureReason.ISSUER_MISMATCH,
        null,
        noun + " OIDC issuer '" + issuer + "' matches no trusted identity",
        ev);
  }

  /** Whether these distinct trusted signers are enough. */
  public boolean thresholdMet(Set<String> trustedSigners) {
    return trustedSigners.size() >= threshold;
  }

  /** How a shortfall reads in a report: "1 of the required 2 trusted signers signed ...". */
  public String shortfall(Set<String> trustedSigners, String signed) {
    return trustedSigners.size()
        + " of the required "
        + threshold
        + " trusted signers signed "
        + signed;
  }

  private static SignatureCheck withinValidity(
      String signer,
      Validity validity,
      Instant now,
      String kind,
      Map<String, String> evidence,
      String what) {
    Optional<SignatureReason> outside = validity.check(now);
    if (outside.isPresent()) {
      Map<String, String> ev = new LinkedHashMap<>(evidence);
      ev.put("validity", validity.toString());
      ev.put("checkedAt", now.toString());
      return SignatureCheck.failed(
          outside.get(),
          signer,
          what
              + " verifies with "
              + kind
              + " "
              + signer
              + ", which is trusted only "
              + validity
              + ", not at "
              + now,
          ev);
    }
    return SignatureCheck.passed(
        signer,
        what + " verified with " + kind + " " + signer + " for " + evidence.get("digest"),
        evidence);
  }

  private static void requireUnique(Set<String> names, String name) {
    if (!names.add(name)) {
      throw new IllegalArgumentException("signer name used twice: " + name);
    }
  }
}
