package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.demo.content.Attestations;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.attestation.Severity;
import dev.tollgate.verifier.attestation.VulnerabilityScan;
import dev.tollgate.verifier.attestation.VulnerabilityWaiver;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.oci.RetryPolicy;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Outcome;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.TrustPolicy;
import dev.tollgate.verifier.signature.TrustedKey;
import dev.tollgate.verifier.signature.Validity;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.Signed;
import dev.tollgate.verifier.testing.OciPusher.TektonResource;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the bundle verification tests share: a real registry, keys, and builders of bundles, task
 * images, signatures ({@code .sig}) and attestations ({@code .att} DSSE) made with JDK crypto.
 * Every test pushes to repositories of its own.
 */
final class BundleFixtures {
  private BundleFixtures() {}

  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final String BUILDER = "https://tekton.dev/chains/v2";
  static final AtomicInteger SEQ = new AtomicInteger();

  /** The registry lookup executor of every verifier the engine tests build. */
  static final RegistryLookups LOOKUPS = RegistryLookups.withDefaults();

  static RegistryServer registry;
  static OciPusher push;
  static RegistryClient client;
  static KeyPair bundleKey;
  static KeyPair scannerKey;
  static KeyPair strangerKey;

  static synchronized void start(RegistryServer server) throws Exception {
    if (registry != null) {
      return;
    }
    registry = server;
    push = new OciPusher("http", server.host());
    client = RegistryClient.builder().plainHttp(server.host()).retry(RetryPolicy.none()).build();
    bundleKey = ecKeyPair();
    scannerKey = ecKeyPair();
    strangerKey = ecKeyPair();
  }

  static VerificationReport verifyPipeline(String name, ObjectNode pipelineTask) throws Exception {
    Pushed bundle = pushPipeline(name, pipelineTask);
    return verifier(policy()).verify(ref(name, bundle));
  }

  static Pushed pushPipeline(String name, ObjectNode pipelineTask) throws Exception {
    return pushBundle(name, List.of(pipeline("p", pipelineTask)), true);
  }

  static void assertDenied(VerificationReport report, String check, String code) {
    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.DENIED);
    assertThat(report.problems())
        .as(report.toText())
        .anySatisfy(
            c -> {
              assertThat(c.name()).isEqualTo(check);
              assertThat(c.code()).isEqualTo(code);
              assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
              assertThat(c.remediation()).isPresent();
            });
    assertThat(report.problems())
        .allSatisfy(c -> assertThat(c.outcome()).isNotEqualTo(Outcome.ERROR));
    assertThat(report.toJson().path("checks").isArray()).isTrue();
    assertThat(report.checks().stream().filter(Check::passed).count()).isPositive();
  }

  static TektonBundleVerifier verifier(VerificationPolicy policy) throws Exception {
    return TektonBundleVerifier.create(client, policy, clock(), LOOKUPS);
  }

  static Clock clock() {
    return Clock.fixed(NOW, ZoneOffset.UTC);
  }

  static VerificationPolicy policy() {
    return policy(StepPolicy.strict(), ScanPolicy.defaults(), ProvenancePolicy.defaults());
  }

  static VerificationPolicy policy(StepPolicy steps, ScanPolicy scans, ProvenancePolicy prov) {
    return new VerificationPolicy(
        TrustPolicy.anyOf(
            List.of(new TrustedKey("release", bundleKey.getPublic(), Validity.always()))),
        TrustPolicy.anyOf(
            List.of(new TrustedKey("scanner", scannerKey.getPublic(), Validity.always()))),
        steps,
        scans,
        prov,
        Duration.ofMinutes(10),
        100,
        "test-" + SEQ.incrementAndGet());
  }

  static ScanPolicy waivers(VulnerabilityWaiver e) {
    ScanPolicy d = ScanPolicy.defaults();
    return new ScanPolicy(
        EnumSet.of(Severity.CRITICAL, Severity.HIGH),
        d.maxAge(),
        List.of(e),
        d.scanPredicateTypes());
  }

  static String repoName(String name) {
    return "bv/" + name;
  }

  static Repository repo(String name) {
    return new Repository(registry.host(), repoName(name) + "-" + SEQ.incrementAndGet());
  }

  /** The bundle by its tag, so every test also resolves the tag once. */
  static dev.tollgate.verifier.oci.ImageReference ref(String name, Pushed bundle) {
    return dev.tollgate.verifier.oci.ImageReference.of(PUSHED.get(bundle.digest()), "v1");
  }

  static Map<String, String> annotations(String name, String kind) {
    return Map.of(
        "dev.tekton.image.name", name,
        "dev.tekton.image.kind", kind,
        "dev.tekton.image.apiVersion", "v1");
  }

  // Bundles remember the repository they were pushed to.
  static final Map<Digest, Repository> PUSHED = new java.util.concurrent.ConcurrentHashMap<>();

  static Pushed pushBundle(String name, List<ObjectNode> resources, boolean signed) {
    return pushBundleTo(repo(name), resources, signed);
  }

  static Pushed pushBundleTo(Repository repo, List<ObjectNode> resources, boolean signed) {
    List<TektonResource> rs = new ArrayList<>();
    for (ObjectNode r : resources) {
      rs.add(
          new TektonResource(
              r.path("metadata").path("name").asText(),
              r.path("kind").asText().toLowerCase(java.util.Locale.ROOT),
              new String(OciPusher.bytes(r), StandardCharsets.UTF_8)));
    }
    Pushed bundle = push.tektonBundle(repo, "v1", rs);
    if (signed) {
      sign(repo, bundle.digest());
    }
    PUSHED.put(bundle.digest(), repo);
    return bundle;
  }

  static String signedBundle(List<ObjectNode> resources) {
    Pushed p = pushBundle("tasks", resources, true);
    return PUSHED.get(p.digest()) + "@" + p.digest();
  }

  static String unsignedBundle(List<ObjectNode> resources) {
    Pushed p = pushBundle("tasks", resources, false);
    return PUSHED.get(p.digest()) + "@" + p.digest();
  }

  static void sign(Repository repo, Digest digest) {
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), digest);
    push.legacySignatures(
        repo, digest, List.of(new Signed(payload, sign(bundleKey.getPrivate(), payload))));
  }

  /** A scan and SLSA v1 provenance on the bundle itself, signed by the scanner key. */
  static void attestBundle(Pushed bundle, ObjectNode scanPredicate) {
    attest(
        PUSHED.get(bundle.digest()),
        bundle.digest(),
        scannerKey,
        List.of(
            statement(bundle.digest(), VulnerabilityScan.COSIGN_VULN_V1, scanPredicate),
            statement(bundle.digest(), "https://slsa.dev/provenance/v1", provenanceV1(BUILDER))));
  }

  static VerificationPolicy withBundleAttestations(BundleAttestationPolicy b) {
    VerificationPolicy p = policy();
    return new VerificationPolicy(
        p.bundleSigners(),
        p.attestationSigners(),
        p.steps(),
        p.vulnerabilities(),
        p.provenance(),
        p.cacheTtl(),
        p.cacheMaxEntries(),
        p.fingerprint(),
        b);
  }

  static String attestedImage(ObjectNode scanPredicate, ObjectNode provenance) {
    return attestedImage(new Pushed[1], scanPredicate, provenance);
  }

  static String attestedImage(Pushed[] out, ObjectNode scanPredicate, ObjectNode provenance) {
    Repository repo = repo("image");
    Pushed img = push.image(repo, "v1", "image-" + SEQ.get());
    out[0] = img;
    attest(
        repo,
        img.digest(),
        scannerKey,
        List.of(
            statement(img.digest(), VulnerabilityScan.COSIGN_VULN_V1, scanPredicate),
            statement(
                img.digest(),
                provenance.path("runDetails").isMissingNode()
                    ? "https://slsa.dev/provenance/v0.2"
                    : "https://slsa.dev/provenance/v1",
                provenance)));
    return repo + "@" + img.digest();
  }

  /** A cosign legacy {@code .att} manifest: one DSSE envelope layer per statement. */
  static void attest(Repository repo, Digest subject, KeyPair key, List<ObjectNode> statements) {
    try {
      attestEnvelopes(repo, subject, statements.stream().map(s -> envelope(key, s)).toList());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("our own envelope is JSON", e);
    }
  }

  /** A cosign legacy {@code .att} manifest with these DSSE envelopes as its layers. */
  static void attestEnvelopes(Repository repo, Digest subject, List<ObjectNode> envelopes)
      throws java.io.IOException {
    List<Descriptor> layers = new ArrayList<>();
    for (ObjectNode env : envelopes) {
      // cosign annotates each layer with the statement's predicate type.
      String predicateType =
          Json.mapper()
              .readTree(Base64.getDecoder().decode(env.path("payload").asText()))
              .path("predicateType")
              .asText();
      layers.add(
          push.blob(
              repo,
              MediaTypes.DSSE_ENVELOPE,
              OciPusher.bytes(env),
              Map.of("predicateType", predicateType)));
    }
    Descriptor config =
        push.blob(repo, OciPusher.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8));
    push.manifest(
        repo,
        subject.tagPrefix() + ".att",
        MediaTypes.OCI_MANIFEST,
        OciPusher.imageManifest(config, layers, null, null));
  }

  /** The DSSE envelope cosign writes into a {@code .att} layer, signed with JDK crypto. */
  static ObjectNode envelope(KeyPair key, ObjectNode statement) {
    return envelope(List.of(key), statement);
  }

  /** One DSSE envelope with a signature of each key, as several signers may write it. */
  static ObjectNode envelope(List<KeyPair> keys, ObjectNode statement) {
    byte[] payload = OciPusher.bytes(statement);
    String type = "application/vnd.in-toto+json";
    ObjectNode env = Json.mapper().createObjectNode();
    env.put("payloadType", type);
    env.put("payload", Base64.getEncoder().encodeToString(payload));
    ArrayNode signatures = env.putArray("signatures");
    for (KeyPair key : keys) {
      signatures
          .addObject()
          .put("keyid", "")
          .put("sig", sign(key.getPrivate(), Attestations.pae(type, payload)));
    }
    return env;
  }

  static ObjectNode statement(Digest subject, String predicateType, ObjectNode predicate) {
    return Attestations.statement(subject.toString(), predicateType, predicate);
  }

  /** A cosign vuln v1 predicate around Grype JSON output. */
  static ObjectNode scan(Instant at, ObjectNode... matches) {
    ObjectNode grype = Json.mapper().createObjectNode();
    ArrayNode m = grype.putArray("matches");
    for (ObjectNode match : matches) {
      m.add(match);
    }
    grype
        .putObject("descriptor")
        .put("name", "grype")
        .put("version", "0.80.0")
        .put("timestamp", at.toString());
    return cosignVuln(grype, at);
  }

  static ObjectNode cosignVuln(ObjectNode result, Instant at) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.putObject("invocation").put("uri", "");
    ObjectNode scanner = p.putObject("scanner");
    scanner.put("uri", "pkg:github/anchore/grype@0.80.0").put("version", "0.80.0");
    scanner.set("result", result);
    p.putObject("metadata")
        .put("scanStartedOn", at.minusSeconds(60).toString())
        .put("scanFinishedOn", at.toString());
    return p;
  }

  static ObjectNode finding(String cve, String severity) {
    ObjectNode f = Json.mapper().createObjectNode();
    f.putObject("vulnerability").put("id", cve).put("severity", severity);
    f.putObject("artifact").put("name", "openssl").put("version", "3.0.0");
    return f;
  }

  static ObjectNode provenanceV1(String builder) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.putObject("buildDefinition").put("buildType", "https://tekton.dev/chains/v2/slsa");
    p.putObject("runDetails").putObject("builder").put("id", builder);
    return p;
  }

  static ObjectNode provenanceV02(String builder) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.putObject("builder").put("id", builder);
    p.put("buildType", "https://tekton.dev/attestations/chains/pipelinerun@v2");
    return p;
  }

  static ObjectNode secure() {
    ObjectNode sc = Json.mapper().createObjectNode();
    sc.put("privileged", false).put("allowPrivilegeEscalation", false).put("runAsNonRoot", true);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.putObject("seccompProfile").put("type", "RuntimeDefault");
    return sc;
  }

  static ObjectNode spec(String image, ObjectNode securityContext) {
    ObjectNode spec = Json.mapper().createObjectNode();
    ObjectNode step = spec.putArray("steps").addObject();
    step.put("name", "run").put("image", image).put("script", "echo ok");
    if (securityContext != null) {
      step.set("securityContext", securityContext);
    }
    return spec;
  }

  static ObjectNode task(String name, String image, ObjectNode securityContext) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("apiVersion", "tekton.dev/v1").put("kind", "Task");
    t.putObject("metadata").put("name", name);
    t.set("spec", spec(image, securityContext));
    return t;
  }

  static ObjectNode embeddedTask(String name, String image, ObjectNode securityContext) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("name", name);
    t.set("taskSpec", spec(image, securityContext));
    return t;
  }

  static ObjectNode resolverTask(String name, String bundle, String taskName) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("name", name);
    ObjectNode ref = t.putObject("taskRef");
    ref.put("resolver", "bundles");
    ArrayNode params = ref.putArray("params");
    params.addObject().put("name", "bundle").put("value", bundle);
    params.addObject().put("name", "name").put("value", taskName);
    params.addObject().put("name", "kind").put("value", "task");
    return t;
  }

  static ObjectNode pipeline(String name, ObjectNode... tasks) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("apiVersion", "tekton.dev/v1").put("kind", "Pipeline");
    p.putObject("metadata").put("name", name);
    ArrayNode arr = p.putObject("spec").putArray("tasks");
    for (ObjectNode t : tasks) {
      arr.add(t);
    }
    return p;
  }

  static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String sign(PrivateKey key, byte[] payload) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(payload);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
