package dev.tollgate.verifier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest or index whose bytes were checked against {@link #digest()}. Instances exist only for
 * verified content: the factory refuses bytes that do not hash to the digest.
 */
public final class Manifest {
  private final Digest digest;
  private final byte[] bytes;
  private final String mediaType;
  private final Optional<Descriptor> config;
  private final List<Descriptor> layers;
  private final List<Descriptor> manifests;
  private final Optional<Descriptor> subject;
  private final Optional<String> artifactType;
  private final Map<String, String> annotations;

  private Manifest(
      Digest digest,
      byte[] bytes,
      String mediaType,
      Optional<Descriptor> config,
      List<Descriptor> layers,
      List<Descriptor> manifests,
      Optional<Descriptor> subject,
      Optional<String> artifactType,
      Map<String, String> annotations) {
    this.digest = digest;
    this.bytes = bytes;
    this.mediaType = mediaType;
    this.config = config;
    this.layers = List.copyOf(layers);
    this.manifests = List.copyOf(manifests);
    this.subject = subject;
    this.artifactType = artifactType;
    this.annotations = Map.copyOf(annotations);
  }

  /**
   * Parses manifest bytes after checking they hash to {@code expected}.
   *
   * @param headerMediaType the Content-Type the source reported, used when the document has none
   */
  public static Manifest parse(Digest expected, byte[] bytes, String headerMediaType)
      throws OciException {
    expected.verify("manifest", bytes);
    JsonNode root;
    try {
      root = Json.readTree(bytes);
    } catch (MalformedJsonException e) {
      throw Descriptor.malformed(expected, "not JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw Descriptor.malformed(expected, "not a JSON object");
    }
    String mediaType =
        root.path("mediaType").isTextual() ? root.get("mediaType").asText() : headerMediaType;
    if (mediaType == null || !MediaTypes.MANIFESTS.contains(mediaType)) {
      throw Descriptor.malformed(expected, "unsupported manifest media type " + mediaType);
    }
    if (root.path("schemaVersion").asInt(0) != 2) {
      throw Descriptor.malformed(expected, "schemaVersion is not 2");
    }
    Optional<Descriptor> config = Optional.empty();
    List<Descriptor> layers = new ArrayList<>();
    List<Descriptor> manifests = new ArrayList<>();
    if (MediaTypes.isIndex(mediaType)) {
      for (JsonNode m : root.path("manifests")) {
        manifests.add(Descriptor.from(m, expected));
      }
    } else {
      config = Optional.of(Descriptor.from(root.get("config"), expected));
      if (!root.path("layers").isArray()) {
        throw Descriptor.malformed(expected, "layers is not an array");
      }
      for (JsonNode l : root.path("layers")) {
        layers.add(Descriptor.from(l, expected));
      }
    }
    Optional<Descriptor> subject =
        root.has("subject")
            ? Optional.of(Descriptor.from(root.get("subject"), expected))
            : Optional.empty();
    Optional<String> artifactType =
        root.path("artifactType").isTextual()
            ? Optional.of(root.get("artifactType").asText())
            : config.map(Descriptor::mediaType).filter(t -> !MediaTypes.OCI_EMPTY.equals(t));
    Map<String, String> annotations = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.path("annotations").properties()) {
      annotations.put(e.getKey(), e.getValue().asText());
    }
    return new Manifest(
        expected,
        bytes.clone(),
        mediaType,
        config,
        layers,
        manifests,
        subject,
        artifactType,
        annotations);
  }

  /** The verified digest of {@link #bytes()}. */
  public Digest digest() {
    return digest;
  }

  /** The exact bytes the digest covers (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  public String mediaType() {
    return mediaType;
  }

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /** The config descriptor of an image manifest; empty for an index. */
  public Optional<Descriptor> config() {
    return config;
  }

  /** Layers of an image manifest, in order; empty for an index. */
  public List<Descriptor> layers() {
    return layers;
  }

  /** Entries of an index; empty for an image manifest. */
  public List<Descriptor> manifests() {
    return manifests;
  }

  /** The manifest this one refers to (OCI 1.1 referrers). */
  public Optional<Descriptor> subject() {
    return subject;
  }

  /** {@code artifactType}, or else the config media type unless it is the empty descriptor. */
  public Optional<String> artifactType() {
    return artifactType;
  }

  public Map<String, String> annotations() {
    return annotations;
  }

  @Override
  public String toString() {
    return mediaType + "@" + digest;
  }
}
