package dev.tollgate.verifier.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Tekton bundles for service tests: one pipeline with one embedded task whose image carries a
 * fresh, clean vulnerability scan and SLSA provenance, both signed by the scanner key; the bundle
 * signed (cosign {@code .sig}) by the release key, or not. {@link #writeTrust} writes the trust
 * file that trusts exactly these two keys.
 */
public final class SignedBundles {
  private final OciPusher push;
  private final String host;
  private final KeyPair release;
  private final KeyPair scanner;

  public SignedBundles(RegistryServer registry) {
    this.host = registry.host();
    this.push = new OciPusher("http", host);
    this.release = ecKeyPair();
    this.scanner = ecKeyPair();
  }

  /** Writes {@code trust.yaml} and the two public keys into {@code dir}; returns the file. */
  public Path writeTrust(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("release.pub"), pem(release.getPublic()));
    Files.writeString(dir.resolve("scanner.pub"), pem(scanner.getPublic()));
    Path trust = dir.resolve("trust.yaml");
    Files.writeString(
        trust,
        "bundleSigners:\n"
            + "  keys:\n"
            + "    - {name: release, publicKeyFile: release.pub}\n"
            + "attestationSigners:\n"
            + "  keys:\n"
            + "    - {name: scanner, publicKeyFile: scanner.pub}\n");
    return trust;
  }

  /** A bundle holding pipeline {@code pipeline}, pushed as {@code <repo>:v1}; its tag reference. */
  public Pushed bundle(String pipeline, boolean signed) {
    return bundle(pipeline, signed, false);
  }

  /** As {@link #bundle(String, boolean)}, its one step privileged when {@code privileged}. */
  public Pushed bundle(String pipeline, boolean signed, boolean privileged) {
    Repository imageRepo = new Repository(host, "svc/image-" + UUID.randomUUID());
    OciPusher.Pushed img = push.image(imageRepo, "v1", "image-" + UUID.randomUUID());
    attest(imageRepo, img.digest());
    String image = imageRepo + "@" + img.digest();

    Repository repo = new Repository(host, "svc/bundle-" + UUID.randomUUID());
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("apiVersion", "tekton.dev/v1").put("kind", "Pipeline");
    p.putObject("metadata").put("name", pipeline);
    ObjectNode task = p.putObject("spec").putArray("tasks").addObject();
    task.put("name", "build");
    ObjectNode step = task.putObject("taskSpec").putArray("steps").addObject();
    step.put("name", "run").put("image", image).put("script", "echo ok");
    ObjectNode sc = step.putObject("securityContext");
    sc.put("privileged", privileged)
        .put("allowPrivilegeEscalation", false)
        .put("runAsNonRoot", true);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.putObject("seccompProfile").put("type", "RuntimeDefault");
    OciPusher.Pushed bundle =
        push.tektonBundle(
            repo,
            "v1",
            List.of(
                new OciPusher.TektonResource(
                    pipeline, "pipeline", new String(OciPusher.bytes(p), StandardCharsets.UTF_8))));
    if (signed) {
      byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), bundle.digest());
      push.legacySignatures(
          repo,
          bundle.digest(),
          List.of(new OciPusher.Signed(payload, sign(release.getPrivate(), payload))));
    }
    return new Pushed(repo + ":v1", repo.toString(), bundle.digest());
  }

  /** A pushed bundle: its tag reference, repository and digest. */
  public record Pushed(String tagReference, String repository, Digest digest) {
    public String pinned() {
      return repository + "@" + digest;
    }
  }

  private void attest(Repository repo, Digest subject) {
    Instant now = Instant.now();
    ObjectNode grype = Json.mapper().createObjectNode();
    grype.putArray("matches");
    grype
        .putObject("descriptor")
        .put("name", "grype")
        .put("version", "0.80.0")
        .put("timestamp", now.toString());
    ObjectNode scan = Json.mapper().createObjectNode();
    scan.putObject("invocation").put("uri", "");
    scan.putObject("scanner")
        .put("uri", "pkg:github/anchore/grype@0.80.0")
        .put("version", "0.80.0")
        .set("result", grype);
    scan.putObject("metadata")
        .put("scanStartedOn", now.minusSeconds(60).toString())
        .put("scanFinishedOn", now.toString());
    ObjectNode provenance = Json.mapper().createObjectNode();
    provenance.putObject("buildDefinition").put("buildType", "https://tekton.dev/chains/v2/slsa");
    provenance
        .putObject("runDetails")
        .putObject("builder")
        .put("id", "https://tekton.dev/chains/v2");
    List<Descriptor> layers = new ArrayList<>();
    for (ObjectNode s :
        List.of(
            statement(subject, "https://cosign.sigstore.dev/attestation/vuln/v1", scan),
            statement(subject, "https://slsa.dev/provenance/v1", provenance))) {
      byte[] payload = OciPusher.bytes(s);
      String type = "application/vnd.in-toto+json";
      ObjectNode env = Json.mapper().createObjectNode();
      env.put("payloadType", type);
      env.put("payload", Base64.getEncoder().encodeToString(payload));
      env.putArray("signatures")
          .addObject()
          .put("keyid", "")
          .put("sig", sign(scanner.getPrivate(), pae(type, payload)));
      layers.add(
          push.blob(
              repo,
              MediaTypes.DSSE_ENVELOPE,
              OciPusher.bytes(env),
              Map.of("predicateType", s.path("predicateType").asText())));
    }
    Descriptor config =
        push.blob(repo, OciPusher.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8));
    push.manifest(
        repo,
        subject.tagPrefix() + ".att",
        MediaTypes.OCI_MANIFEST,
        OciPusher.imageManifest(config, layers, null, null));
  }

  private static ObjectNode statement(Digest subject, String predicateType, ObjectNode predicate) {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("_type", "https://in-toto.io/Statement/v1");
    s.putArray("subject")
        .addObject()
        .put("name", "image")
        .putObject("digest")
        .put("sha256", subject.hex());
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    return s;
  }

  private static byte[] pae(String type, byte[] payload) {
    byte[] head =
        ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ")
            .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(PrivateKey key, byte[] payload) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(payload);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
