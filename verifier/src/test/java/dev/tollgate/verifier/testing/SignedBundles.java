package dev.tollgate.verifier.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.demo.content.Attestations;
import dev.tollgate.deploy.demo.content.DemoSigner;
import dev.tollgate.deploy.demo.oci.RegistryClient;
import dev.tollgate.deploy.demo.oci.RegistryException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
  private final DemoSigner release;
  private final DemoSigner scanner;

  public SignedBundles(RegistryServer registry) {
    this.host = registry.host();
    this.push = new OciPusher("http", host);
    this.release = DemoSigner.generate("release");
    this.scanner = DemoSigner.generate("scanner");
  }

  /** Writes {@code trust.yaml} and the two public keys into {@code dir}; returns the file. */
  public Path writeTrust(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("release.pub"), release.publicKeyPem());
    Files.writeString(dir.resolve("scanner.pub"), scanner.publicKeyPem());
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
          repo, bundle.digest(), List.of(new OciPusher.Signed(payload, release.sign(payload))));
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
    try {
      Attestations.attach(
          new RegistryClient(host), repo.name(), subject.toString(), scanner, Instant.now());
    } catch (RegistryException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
