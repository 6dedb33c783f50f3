package dev.tollgate.verifier.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.attestation.ProvenanceCondition;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.attestation.Severity;
import dev.tollgate.verifier.attestation.VulnerabilityWaiver;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.bundle.TektonYaml;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.signature.StringMatch;
import dev.tollgate.verifier.signature.TrustException;
import dev.tollgate.verifier.signature.TrustPolicy;
import dev.tollgate.verifier.signature.TrustedIdentity;
import dev.tollgate.verifier.signature.TrustedKey;
import dev.tollgate.verifier.signature.Validity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a {@link VerificationPolicy} from the trust/policy YAML file. Unknown keys are errors (a
 * typo must not silently relax a rule); anything left out takes the strict default. Paths are
 * relative to the file. The fingerprint is the SHA-256 of the file and of every file it names.
 */
public final class PolicyFile {
  private final Path file;
  private final ByteArrayOutputStream hashed = new ByteArrayOutputStream();

  private PolicyFile(Path file) {
    this.file = file;
  }

  public static VerificationPolicy load(Path file) throws TrustException {
    return new PolicyFile(file).read();
  }

  private VerificationPolicy read() throws TrustException {
    JsonNode root;
    try {
      // The reading bundles get: a value YAML 1.1 and 1.2 read differently (yes, no, 0777, a
      // merge key) is an error rather than whatever this reader's YAML version makes of it.
      root = TektonYaml.read(bytes(file));
    } catch (TektonYaml.Refused e) {
      throw invalid(file.toString(), e.getMessage());
    }
    only(
        root,
        "policy",
        "bundleSigners",
        "attestationSigners",
        "steps",
        "vulnerabilities",
        "provenance",
        "bundleAttestations",
        "cache");
    try {
      TrustPolicy bundle = signers(root.path("bundleSigners"), "bundleSigners");
      TrustPolicy attest = signers(root.path("attestationSigners"), "attestationSigners");
      JsonNode s = root.path("steps");
      only(
          s,
          "steps",
          "requireDigest",
          "resolveTags",
          "requireNotPrivileged",
          "requireNoPrivilegeEscalation",
          "requireRunAsNonRoot",
          "requireDropAllCapabilities",
          "requireSeccompProfile",
          "forbidHostPath");
      // Kept as keys so an old policy file reads, but only at their safe values: a tag resolved
      // for the check is pulled again at run time, so what runs would not be what was checked.
      if (!bool(s, "requireDigest", true) || bool(s, "resolveTags", false)) {
        throw invalid(
            "steps",
            "requireDigest: false and resolveTags: true are no longer supported: images must be"
                + " pinned by digest in the bundle (a tag is pulled again when the pod starts)");
      }
      StepPolicy steps =
          new StepPolicy(
              bool(s, "requireNotPrivileged", true),
              bool(s, "requireNoPrivilegeEscalation", true),
              bool(s, "requireRunAsNonRoot", true),
              bool(s, "requireDropAllCapabilities", true),
              bool(s, "requireSeccompProfile", true),
              bool(s, "forbidHostPath", true));
      JsonNode v = root.path("vulnerabilities");
      only(
          v,
          "vulnerabilities",
          "deny",
          "maxAge",
          "maxClockSkew",
          "exceptions",
          "scanPredicateTypes");
      ScanPolicy d = ScanPolicy.defaults();
      Set<Severity> deny = d.denied();
      if (v.has("deny")) {
        deny = EnumSet.noneOf(Severity.class);
        for (JsonNode x : v.get("deny")) {
          deny.add(Severity.valueOf(x.asText().toUpperCase(java.util.Locale.ROOT)));
        }
      }
      List<VulnerabilityWaiver> waivers = new ArrayList<>();
      for (JsonNode x : v.path("exceptions")) {
        only(x, "exception", "cve", "image", "reason", "expires");
        waivers.add(
            new VulnerabilityWaiver(
                x.path("cve").asText(null),
                x.path("image").asText(null),
                x.path("reason").asText(null),
                instant(x.path("expires").asText(""))));
      }
      Set<String> types = d.scanPredicateTypes();
      if (v.has("scanPredicateTypes")) {
        List<String> t = new ArrayList<>();
        v.get("scanPredicateTypes").forEach(n -> t.add(n.asText()));
        types = Set.copyOf(t);
      }
      ScanPolicy scans =
          new ScanPolicy(
              deny,
              v.has("maxAge") ? Duration.parse(v.get("maxAge").asText()) : d.maxAge(),
              waivers,
              types,
              v.has("maxClockSkew")
                  ? Duration.parse(v.get("maxClockSkew").asText())
                  : d.maxClockSkew());
      JsonNode p = root.path("provenance");
      only(p, "provenance", "required", "conditions");
      List<ProvenanceCondition> conditions = new ArrayList<>();
      for (JsonNode c : p.path("conditions")) {
        only(c, "condition", "name", "expression");
        conditions.add(
            ProvenanceCondition.compile(
                c.path("name").asText(null), c.path("expression").asText(null)));
      }
      ProvenancePolicy provenance = new ProvenancePolicy(bool(p, "required", true), conditions);
      JsonNode b = root.path("bundleAttestations");
      only(b, "bundleAttestations", "requireScan", "requireProvenance");
      BundleAttestationPolicy bundleAttestations =
          new BundleAttestationPolicy(
              bool(b, "requireScan", false), bool(b, "requireProvenance", false));
      JsonNode c = root.path("cache");
      only(c, "cache", "ttl", "maxEntries", "missingTtl");
      return new VerificationPolicy(
          bundle,
          attest,
          steps,
          scans,
          provenance,
          c.has("ttl") ? Duration.parse(c.get("ttl").asText()) : Duration.ofMinutes(10),
          integer(c, "maxEntries", 10_000),
          Digest.of(hashed.toByteArray()).toString(),
          bundleAttestations,
          c.has("missingTtl")
              ? Duration.parse(c.get("missingTtl").asText())
              : VerificationPolicy.DEFAULT_MISSING_TTL);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw invalid(file.toString(), e.getMessage());
    }
  }

  private TrustPolicy signers(JsonNode n, String where) throws TrustException {
    if (!n.isObject()) {
      throw invalid(where, "missing: name at least one key or identity");
    }
    only(n, where, "threshold", "keys", "identities", "trustedRoot");
    List<TrustedKey> keys = new ArrayList<>();
    for (JsonNode k : n.path("keys")) {
      only(k, where + ".keys", "name", "publicKeyFile", "notBefore", "notAfter");
      String name = k.path("name").asText("");
      Path pem = resolve(k.path("publicKeyFile").asText(""));
      keys.add(
          TrustedKey.fromPem(name, new String(bytes(pem), StandardCharsets.UTF_8), validity(k)));
    }
    List<TrustedIdentity> identities = new ArrayList<>();
    for (JsonNode i : n.path("identities")) {
      only(
          i,
          where + ".identities",
          "name",
          "subject",
          "subjectRegex",
          "issuer",
          "issuerRegex",
          "notBefore",
          "notAfter");
      identities.add(
          new TrustedIdentity(
              i.path("name").asText(""), match(i, "subject"), match(i, "issuer"), validity(i)));
    }
    Optional<Path> root = Optional.empty();
    if (n.has("trustedRoot")) {
      Path r = resolve(n.get("trustedRoot").asText());
      bytes(r);
      root = Optional.of(r);
    }
    return new TrustPolicy(keys, identities, integer(n, "threshold", 1), root);
  }

  private static StringMatch match(JsonNode i, String field) {
    if (i.has(field)) {
      return StringMatch.exact(i.get(field).asText());
    }
    if (i.has(field + "Regex")) {
      return StringMatch.regex(i.get(field + "Regex").asText());
    }
    throw new IllegalArgumentException("identity " + i.path("name").asText() + " has no " + field);
  }

  private static Validity validity(JsonNode n) {
    return new Validity(
        n.has("notBefore") ? Optional.of(instant(n.get("notBefore").asText())) : Optional.empty(),
        n.has("notAfter") ? Optional.of(instant(n.get("notAfter").asText())) : Optional.empty());
  }

  /** An instant, or a date meaning its start (UTC). */
  private static Instant instant(String s) {
    if (s.length() == 10) {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return Instant.parse(s);
  }

  /**
   * A boolean written as one ({@code true} or {@code false}); anything else ({@code "yes"}, {@code
   * 1}, {@code null}) is a policy error, never read as false and a rule silently off.
   */
  private static boolean bool(JsonNode n, String field, boolean absent) throws TrustException {
    if (!n.has(field)) {
      return absent;
    }
    JsonNode v = n.get(field);
    if (!v.isBoolean()) {
      throw invalid(field, "must be true or false, not " + v);
    }
    return v.booleanValue();
  }

  /** A whole number written as one; {@code "2"} or {@code 2.5} is a policy error. */
  private static int integer(JsonNode n, String field, int absent) throws TrustException {
    if (!n.has(field)) {
      return absent;
    }
    JsonNode v = n.get(field);
    if (!v.isInt()) {
      throw invalid(field, "must be a whole number, not " + v);
    }
    return v.intValue();
  }

  private static void only(JsonNode n, String where, String... allowed) throws TrustException {
    if (n.isMissingNode()) {
      return;
    }
    if (!n.isObject()) {
      throw invalid(where, "is not a mapping");
    }
    Set<String> ok = Set.of(allowed);
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!ok.contains(f)) {
        throw invalid(
            where, "unknown key '" + f + "' (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  private Path resolve(String relative) throws TrustException {
    if (relative.isEmpty()) {
      throw invalid(file.toString(), "a file path is empty");
    }
    return file.toAbsolutePath().getParent().resolve(relative);
  }

  private byte[] bytes(Path p) throws TrustException {
    try {
      byte[] b = Files.readAllBytes(p);
      hashed.writeBytes(Digest.of(b).bytes());
      return b;
    } catch (IOException e) {
      throw invalid(p.toString(), "cannot read: " + e.getMessage());
    }
  }

  private static TrustException invalid(String where, String why) {
    return new TrustException(TrustException.Reason.POLICY_INVALID, where, why, null);
  }
}
