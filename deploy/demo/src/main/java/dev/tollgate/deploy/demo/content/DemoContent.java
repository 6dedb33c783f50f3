package dev.tollgate.deploy.demo.content;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.demo.oci.Descriptor;
import dev.tollgate.deploy.demo.oci.RegistryClient;
import dev.tollgate.deploy.demo.oci.RegistryException;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Pushes the demo to a registry: a step image (tiny blobs, pushed by digest) with a signed clean
 * scan and provenance; a task bundle running it, signed; a pipeline bundle whose one task comes
 * from that task bundle pinned by digest, signed; and the same pipeline again in a bundle nobody
 * signed. Everything the verifier checks by default is there, and only the signature differs
 * between the two pipeline bundles.
 */
public final class DemoContent {
  public static final String PIPELINE = "hello-world";
  public static final String TASK = "hello";
  public static final String TAG = "v1";

  private final RegistryClient registry;
  private final String host;
  private final DemoSigner release;
  private final DemoSigner scanner;

  /**
   * @param host the registry's {@code host:port}, as references name it
   * @param release signs bundles (trust.yaml's bundleSigners)
   * @param scanner signs attestations (trust.yaml's attestationSigners)
   */
  public DemoContent(String host, DemoSigner release, DemoSigner scanner) {
    this.host = host;
    this.registry = new RegistryClient(host);
    this.release = release;
    this.scanner = scanner;
  }

  /** What was pushed: each reference by tag and pinned. */
  public record Pushed(
      String signedBundle, String unsignedBundle, String taskBundle, String image) {
    /** The bundles' tag references, which the policies name. */
    public static String tagged(String pinned) {
      return pinned.substring(0, pinned.indexOf('@')) + ":" + TAG;
    }
  }

  /** Pushes everything, its scans dated {@code now}; returns the pinned references. */
  public Pushed push(Instant now) throws RegistryException {
    String imageRepo = "demo/hello-world-step";
    Descriptor layer =
        registry.blob(
            imageRepo,
            RegistryClient.OCI_LAYER,
            Tar.file("hello.txt", "hello from a verified pipeline\n"),
            Map.of());
    RegistryClient.Pushed image =
        registry.image(
            imageRepo,
            null,
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}"
                .getBytes(StandardCharsets.UTF_8),
            List.of(layer));
    Attestations.attach(registry, imageRepo, image.digest(), scanner, now);
    String pinnedImage = host + "/" + imageRepo + "@" + image.digest();

    RegistryClient.Pushed task =
        registry.tektonBundle(
            "demo/hello-world-task",
            TAG,
            List.of(new RegistryClient.TektonResource(TASK, "task", task(pinnedImage))));
    sign(task);
    String pinnedTask = host + "/" + task.repo() + "@" + task.digest();

    byte[] pipeline = pipeline(pinnedTask);
    RegistryClient.Pushed signed =
        registry.tektonBundle(
            "demo/hello-world-pipeline",
            TAG,
            List.of(new RegistryClient.TektonResource(PIPELINE, "pipeline", pipeline)));
    sign(signed);
    RegistryClient.Pushed unsigned =
        registry.tektonBundle(
            "demo/tampered-pipeline",
            TAG,
            // the same pipeline; a config of its own so its digest differs from the signed one
            "{\"tollgate.dev/demo\":\"unsigned\"}".getBytes(StandardCharsets.UTF_8),
            List.of(new RegistryClient.TektonResource(PIPELINE, "pipeline", pipeline)));
    return new Pushed(
        host + "/" + signed.repo() + "@" + signed.digest(),
        host + "/" + unsigned.repo() + "@" + unsigned.digest(),
        pinnedTask,
        pinnedImage);
  }

  /** A cosign legacy signature ({@code .sig}) of the bundle by the release key. */
  private void sign(RegistryClient.Pushed bundle) throws RegistryException {
    byte[] payload =
        RegistryClient.simpleSigningPayload(host + "/" + bundle.repo(), bundle.digest());
    registry.attachment(
        bundle.repo(),
        bundle.digest(),
        "sig",
        List.of(
            registry.blob(
                bundle.repo(),
                RegistryClient.SIMPLE_SIGNING,
                payload,
                Map.of(RegistryClient.COSIGN_SIGNATURE_ANNOTATION, release.sign(payload)))));
  }

  /** The Task: one step, its image pinned, under the restricted Pod Security Standard. */
  private static byte[] task(String image) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("apiVersion", "tekton.dev/v1").put("kind", "Task");
    t.putObject("metadata").put("name", TASK);
    ObjectNode spec = t.putObject("spec");
    spec.putArray("params").addObject().put("name", "revision").put("type", "string");
    ObjectNode step = spec.putArray("steps").addObject();
    step.put("name", "hello")
        .put("image", image)
        .put(
            "script", "#!/bin/sh\necho \"hello from a verified pipeline at $(params.revision)\"\n");
    ObjectNode sc = step.putObject("securityContext");
    sc.put("privileged", false).put("allowPrivilegeEscalation", false).put("runAsNonRoot", true);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.putObject("seccompProfile").put("type", "RuntimeDefault");
    return Json.writeBytes(t);
  }

  /** The Pipeline: its one task from the task bundle, referenced by digest. */
  private static byte[] pipeline(String taskBundle) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("apiVersion", "tekton.dev/v1").put("kind", "Pipeline");
    p.putObject("metadata").put("name", PIPELINE);
    ObjectNode spec = p.putObject("spec");
    ArrayNode params = spec.putArray("params");
    params.addObject().put("name", "revision").put("type", "string");
    params.addObject().put("name", "repository").put("type", "string");
    ObjectNode use = spec.putArray("tasks").addObject();
    use.put("name", TASK);
    ObjectNode ref = use.putObject("taskRef");
    ref.put("resolver", "bundles");
    ArrayNode refParams = ref.putArray("params");
    refParams.addObject().put("name", "bundle").put("value", taskBundle);
    refParams.addObject().put("name", "name").put("value", TASK);
    refParams.addObject().put("name", "kind").put("value", "task");
    use.putArray("params").addObject().put("name", "revision").put("value", "$(params.revision)");
    return Json.writeBytes(p);
  }

  /** Layer content for the step image. */
  private static final class Tar {
    private Tar() {}

    static byte[] file(String name, String content) {
      return dev.tollgate.deploy.demo.oci.Tar.singleFile(
          name, content.getBytes(StandardCharsets.UTF_8));
    }
  }
}
