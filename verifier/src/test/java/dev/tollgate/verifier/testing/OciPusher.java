package dev.tollgate.verifier.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.demo.oci.RegistryClient;
import dev.tollgate.deploy.demo.oci.RegistryException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.Repository;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pushes blobs and manifests to a registry with the distribution API, the way a client would
 * (monolithic upload: POST then PUT with the digest), and builds the manifests tests need: images,
 * Tekton bundles, cosign legacy signatures and sigstore bundle referrers.
 */
public final class OciPusher {
  public static final String TEKTON_LAYER = "application/vnd.cdf.tekton.catalog.v1beta1+yaml";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  private final RegistryClient registry;

  /** Plain HTTP only: the pushes go through the local demo's {@link RegistryClient}. */
  public OciPusher(String scheme, String host) {
    if (!"http".equals(scheme)) {
      throw new IllegalArgumentException("the shared registry client pushes over plain HTTP");
    }
    this.registry = new RegistryClient(host);
  }

  /** Pushes a blob; returns its descriptor. */
  public Descriptor blob(Repository repo, String mediaType, byte[] content) {
    return blob(repo, mediaType, content, Map.of());
  }

  public Descriptor blob(
      Repository repo, String mediaType, byte[] content, Map<String, String> annotations) {
    try {
      registry.blob(repo.name(), mediaType, content, annotations);
    } catch (RegistryException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return new Descriptor(
        mediaType, Digest.of(content), content.length, Optional.empty(), annotations);
  }

  /** Pushes manifest bytes under {@code reference} (a tag, or the digest); returns the digest. */
  public Digest manifest(Repository repo, String reference, String mediaType, byte[] bytes) {
    try {
      registry.manifest(repo.name(), reference, mediaType, bytes);
    } catch (RegistryException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return Digest.of(bytes);
  }

  /** An OCI image manifest of a config and layers, pushed under {@code tag}. */
  public Pushed image(Repository repo, String tag, List<Descriptor> layers) {
    Descriptor config =
        blob(repo, OCI_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(UTF8));
    byte[] bytes = imageManifest(config, layers, null, null);
    Digest d = manifest(repo, tag, MediaTypes.OCI_MANIFEST, bytes);
    return new Pushed(d, bytes, layers);
  }

  /** A small image with two random-ish layers. */
  public Pushed image(Repository repo, String tag, String seed) {
    return image(
        repo,
        tag,
        List.of(
            blob(
                repo, "application/vnd.oci.image.layer.v1.tar", ("layer-a " + seed).getBytes(UTF8)),
            blob(
                repo,
                "application/vnd.oci.image.layer.v1.tar",
                ("layer-b " + seed).getBytes(UTF8))));
  }

  /**
   * A Tekton bundle: one layer per resource, each a single-file tar, annotated with {@code
   * dev.tekton.image.name}, {@code .kind} and {@code .apiVersion} as tkn writes them.
   */
  public Pushed tektonBundle(Repository repo, String tag, List<TektonResource> resources) {
    List<Descriptor> layers =
        resources.stream()
            .map(
                r ->
                    blob(
                        repo,
                        TEKTON_LAYER,
                        Tar.singleFile(r.name() + ".yaml", r.yaml().getBytes(UTF8)),
                        Map.of(
                            "dev.tekton.image.name", r.name(),
                            "dev.tekton.image.kind", r.kind(),
                            "dev.tekton.image.apiVersion", "v1")))
            .toList();
    return image(repo, tag, layers);
  }

  /** One Tekton resource for {@link #tektonBundle}. */
  public record TektonResource(String name, String kind, String yaml) {}

  /**
   * A cosign legacy signature manifest under {@code sha256-<hex>.sig}: one simple-signing layer per
   * (payload, base64 signature).
   */
  public Digest legacySignatures(Repository repo, Digest subject, List<Signed> signatures) {
    List<Descriptor> layers =
        signatures.stream()
            .map(
                s ->
                    blob(
                        repo,
                        MediaTypes.COSIGN_SIMPLE_SIGNING,
                        s.payload(),
                        Map.of("dev.cosignproject.cosign/signature", s.signatureBase64())))
            .toList();
    Descriptor config = blob(repo, OCI_CONFIG, "{\"rootfs\":{\"type\":\"layers\"}}".getBytes(UTF8));
    return manifest(
        repo,
        subject.tagPrefix() + ".sig",
        MediaTypes.OCI_MANIFEST,
        imageManifest(config, layers, null, null));
  }

  /**
   * A cosign legacy attachment manifest under {@code sha256-<hex>.<suffix>} ({@code sig} or {@code
   * att}): one layer of {@code mediaType} per (content, annotations).
   */
  public Digest legacyAttachment(
      Repository repo,
      Digest subject,
      String suffix,
      String mediaType,
      List<Map.Entry<byte[], Map<String, String>>> layers) {
    List<Descriptor> ds =
        layers.stream().map(l -> blob(repo, mediaType, l.getKey(), l.getValue())).toList();
    Descriptor config = blob(repo, OCI_CONFIG, "{\"rootfs\":{\"type\":\"layers\"}}".getBytes(UTF8));
    return manifest(
        repo,
        subject.tagPrefix() + "." + suffix,
        MediaTypes.OCI_MANIFEST,
        imageManifest(config, ds, null, null));
  }

  /** A payload and the base64 signature over it. */
  public record Signed(byte[] payload, String signatureBase64) {}

  /** The simple-signing payload cosign writes for {@code digest}: the local demo's. */
  public static byte[] simpleSigningPayload(String reference, Digest digest) {
    return RegistryClient.simpleSigningPayload(reference, digest.toString());
  }

  /**
   * A sigstore bundle as an OCI 1.1 referrer of {@code subject} (as cosign v3 stores it), pushed by
   * digest, and listed in the {@code sha256-<hex>} fallback tag index (replacing that index).
   */
  public Digest bundleReferrer(Repository repo, Pushed subject, List<byte[]> bundles) {
    ArrayNode entries = Json.mapper().createArrayNode();
    Digest last = null;
    for (byte[] bundle : bundles) {
      Descriptor config = blob(repo, MediaTypes.OCI_EMPTY, "{}".getBytes(UTF8));
      Descriptor layer = blob(repo, MediaTypes.SIGSTORE_BUNDLE_V03, bundle);
      Descriptor subjectDescriptor =
          new Descriptor(
              MediaTypes.OCI_MANIFEST,
              subject.digest(),
              subject.bytes().length,
              Optional.empty(),
              Map.of());
      byte[] bytes =
          imageManifest(config, List.of(layer), subjectDescriptor, MediaTypes.SIGSTORE_BUNDLE_V03);
      last = manifest(repo, Digest.of(bytes).toString(), MediaTypes.OCI_MANIFEST, bytes);
      ObjectNode entry =
          descriptorJson(
              new Descriptor(
                  MediaTypes.OCI_MANIFEST,
                  last,
                  bytes.length,
                  Optional.of(MediaTypes.SIGSTORE_BUNDLE_V03),
                  Map.of(
                      "dev.sigstore.bundle.predicateType", "https://sigstore.dev/cosign/sign/v1")));
      entries.add(entry);
    }
    ObjectNode index = Json.mapper().createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    index.set("manifests", entries);
    manifest(repo, subject.digest().tagPrefix(), MediaTypes.OCI_INDEX, bytes(index));
    return last;
  }

  /** What was pushed: the manifest digest and bytes, and its layers. */
  public record Pushed(Digest digest, byte[] bytes, List<Descriptor> layers) {}

  public static byte[] imageManifest(
      Descriptor config, List<Descriptor> layers, Descriptor subject, String artifactType) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    if (artifactType != null) {
      m.put("artifactType", artifactType);
    }
    m.set("config", descriptorJson(config));
    ArrayNode l = m.putArray("layers");
    layers.forEach(d -> l.add(descriptorJson(d)));
    if (subject != null) {
      m.set("subject", descriptorJson(subject));
    }
    return bytes(m);
  }

  public static ObjectNode descriptorJson(Descriptor d) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("mediaType", d.mediaType());
    n.put("digest", d.digest().toString());
    n.put("size", d.size());
    d.artifactType().ifPresent(t -> n.put("artifactType", t));
    if (!d.annotations().isEmpty()) {
      ObjectNode a = n.putObject("annotations");
      d.annotations().forEach(a::put);
    }
    return n;
  }

  public static byte[] bytes(JsonNode node) {
    try {
      return Json.mapper().writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree always serialises", e);
    }
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}
