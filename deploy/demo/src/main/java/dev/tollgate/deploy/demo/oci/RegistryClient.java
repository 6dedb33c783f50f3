package dev.tollgate.deploy.demo.oci;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Pushes blobs and manifests with the distribution API as a client would (monolithic upload: POST,
 * then PUT with the digest), and builds the manifests Tekton bundles and cosign attachments use.
 * Plain HTTP, no credentials: it is for local registries.
 */
public final class RegistryClient {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  public static final String TEKTON_LAYER = "application/vnd.cdf.tekton.catalog.v1beta1+yaml";
  public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
  public static final String COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  /** A client of the registry at {@code host} ({@code host:port}) over plain HTTP. */
  public RegistryClient(String host) {
    this.base = URI.create("http://" + host);
  }

  /** Pushes a blob; returns its descriptor. */
  public Descriptor blob(String repo, String mediaType, byte[] content, Map<String, String> notes)
      throws RegistryException {
    String digest = Sha256.digest(content);
    HttpResponse<String> start =
        send(
            HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()),
            202);
    String location =
        start
            .headers()
            .firstValue("Location")
            .orElseThrow(() -> new RegistryException("upload of " + repo + " gave no Location"));
    URI upload = base.resolve(location);
    String sep = upload.getQuery() == null ? "?" : "&";
    send(
        HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content)),
        201);
    return new Descriptor(mediaType, digest, content.length, notes);
  }

  /** Pushes manifest bytes under {@code reference} (a tag, or its digest); returns the digest. */
  public String manifest(String repo, String reference, String mediaType, byte[] bytes)
      throws RegistryException {
    send(
        HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/manifests/" + reference))
            .header("Content-Type", mediaType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)),
        201);
    return Sha256.digest(bytes);
  }

  /** Pushes an image manifest of {@code config} and {@code layers} under {@code reference}. */
  public Pushed image(String repo, String reference, byte[] config, List<Descriptor> layers)
      throws RegistryException {
    Descriptor c = blob(repo, OCI_CONFIG, config, Map.of());
    byte[] bytes = imageManifest(c, layers);
    String digest =
        manifest(repo, reference == null ? Sha256.digest(bytes) : reference, OCI_MANIFEST, bytes);
    return new Pushed(repo, digest, bytes);
  }

  /**
   * A Tekton bundle: one layer per resource, each a single-file tar annotated with {@code
   * dev.tekton.image.name}, {@code .kind} and {@code .apiVersion} as {@code tkn bundle push} writes
   * them.
   */
  public Pushed tektonBundle(String repo, String tag, List<TektonResource> resources)
      throws RegistryException {
    return tektonBundle(repo, tag, "{}".getBytes(StandardCharsets.UTF_8), resources);
  }

  /** As {@link #tektonBundle(String, String, List)}, with this image config (JSON). */
  public Pushed tektonBundle(String repo, String tag, byte[] config, List<TektonResource> resources)
      throws RegistryException {
    List<Descriptor> layers = new java.util.ArrayList<>();
    for (TektonResource r : resources) {
      layers.add(
          blob(
              repo,
              TEKTON_LAYER,
              Tar.singleFile(r.name() + ".yaml", r.yaml()),
              Map.of(
                  "dev.tekton.image.name", r.name(),
                  "dev.tekton.image.kind", r.kind(),
                  "dev.tekton.image.apiVersion", "v1")));
    }
    return image(repo, tag, config, layers);
  }

  /**
   * A cosign legacy attachment under {@code sha256-<hex>.<suffix>} ({@code sig} or {@code att}),
   * the tag scheme registries without a referrers API use.
   */
  public String attachment(
      String repo, String subjectDigest, String suffix, List<Descriptor> layers)
      throws RegistryException {
    Descriptor config =
        blob(
            repo,
            OCI_CONFIG,
            "{\"rootfs\":{\"type\":\"layers\"}}".getBytes(StandardCharsets.UTF_8),
            Map.of());
    return manifest(
        repo,
        subjectDigest.replace(':', '-') + "." + suffix,
        OCI_MANIFEST,
        imageManifest(config, layers));
  }

  /** An OCI image manifest's bytes. */
  public static byte[] imageManifest(Descriptor config, List<Descriptor> layers) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", OCI_MANIFEST);
    m.set("config", config.toJson());
    ArrayNode l = m.putArray("layers");
    layers.forEach(d -> l.add(d.toJson()));
    return Json.writeBytes(m);
  }

  /** The simple-signing payload cosign signs for {@code digest} in {@code reference}. */
  public static byte[] simpleSigningPayload(String reference, String digest) {
    return ("{\"critical\":{\"identity\":{\"docker-reference\":\""
            + reference
            + "\"},\"image\":{\"docker-manifest-digest\":\""
            + digest
            + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** One Tekton resource of a bundle: its name, lowercase kind and YAML (or JSON) bytes. */
  public record TektonResource(String name, String kind, byte[] yaml) {}

  /** A pushed manifest: repository (without host), digest and bytes. */
  public record Pushed(String repo, String digest, byte[] bytes) {}

  private HttpResponse<String> send(HttpRequest.Builder request, int expected)
      throws RegistryException {
    HttpRequest r = request.timeout(TIMEOUT).build();
    try {
      HttpResponse<String> response =
          http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != expected) {
        throw new RegistryException(
            r.method()
                + " "
                + r.uri().getPath()
                + " answered "
                + response.statusCode()
                + " (expected "
                + expected
                + "): "
                + response.body());
      }
      return response;
    } catch (IOException e) {
      throw new RegistryException(r.method() + " " + r.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(r.method() + " " + r.uri() + " interrupted", e);
    }
  }
}
