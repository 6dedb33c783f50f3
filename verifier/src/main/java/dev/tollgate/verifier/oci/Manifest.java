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
   * Parses manifest bytes after checking they hash to {@code expected}, with at most {@link
   * OciLimits#defaults()}'s number of layers or index entries.
   *
   * @param headerMediaType the Content-Type the source reported, used when the document has none
   */
  public static Manifest parse(Digest expected, byte[] bytes, String headerMediaType)
      throws OciException {
    return parse(expected, bytes, headerMediaType, OciLimits.defaults().maxDescriptors());
  }

  /**
   * Parses manifest bytes after checking they hash to {@code expected}. The bytes are hostile
   * input: anything but a well-formed OCI or Docker v2 manifest or index (wrong JSON types, a
   * descriptor with a negative size or no media type, an index carrying layers, a manifest carrying
   * index entries) is {@link OciReason#MALFORMED_MANIFEST}, never an unchecked exception.
   *
   * @param maxDescriptors the most layers (of a manifest) or entries (of an index) accepted
   */
  public static Manifest parse(
      Digest expected, byte[] bytes, String headerMediaType, int maxDescriptors)
      throws OciException {
    expected.verify("manifest", bytes);
    JsonNode root;
    try {
      root = Json.readTree(bytes);
    } catch (MalformedJsonException e) {
      throw Descriptor.malformed(expected, "not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw Descriptor.malformed(expected, "not a JSON object");
    }
    JsonNode typeNode = root.get("mediaType");
    if (typeNode != null && !typeNode.isTextual()) {
      throw Descriptor.malformed(expected, "mediaType is not a string");
    }
    String mediaType = typeNode != null ? typeNode.asText() : headerMediaType;
    if (mediaType == null || !MediaTypes.MANIFESTS.contains(mediaType)) {
      throw Descriptor.malformed(
          expected, "unsupported manifest media type " + Descriptor.abbreviate(mediaType));
    }
    JsonNode version = root.get("schemaVersion");
    if (version == null || !version.isIntegralNumber() || version.asLong() != 2) {
      throw Descriptor.malformed(expected, "schemaVersion is not the number 2");
    }
    Optional<Descriptor> config = Optional.empty();
    List<Descriptor> layers = new ArrayList<>();
    List<Descriptor> manifests = new ArrayList<>();
    // A document that is both an index and a manifest is read differently by different
    // consumers (CVE-2021-41190): refuse the ambiguity rather than pick a reading.
    if (MediaTypes.isIndex(mediaType)) {
      if (root.has("layers") || root.has("config")) {
        throw Descriptor.malformed(expected, "an index has no layers or config");
      }
      manifests = descriptors(root.get("manifests"), "manifests", expected, maxDescriptors);
    } else {
      if (root.has("manifests")) {
        throw Descriptor.malformed(expected, "an image manifest has no manifests");
      }
      config = Optional.of(Descriptor.from(root.get("config"), expected));
      layers = descriptors(root.get("layers"), "layers", expected, maxDescriptors);
    }
    Optional<Descriptor> subject =
        root.has("subject")
            ? Optional.of(Descriptor.from(root.get("subject"), expected))
            : Optional.empty();
    JsonNode artifactTypeNode = root.get("artifactType");
    if (artifactTypeNode != null && !artifactTypeNode.isTextual()) {
      throw Descriptor.malformed(expected, "artifactType is not a string");
    }
    Optional<String> artifactType =
        artifactTypeNode != null
            ? Optional.of(artifactTypeNode.asText())
            : config.map(Descriptor::mediaType).filter(t -> !MediaTypes.OCI_EMPTY.equals(t));
    Map<String, String> annotations = Descriptor.annotations(root.get("annotations"), expected);
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

  private static List<Descriptor> descriptors(
      JsonNode array, String field, Digest manifest, int max) throws OciException {
    if (array == null || !array.isArray()) {
      throw Descriptor.malformed(manifest, field + " is not an array");
    }
    if (array.size() > max) {
      throw new OciException(
          OciReason.TOO_LARGE,
          "manifest "
              + manifest
              + " lists "
              + array.size()
              + " "
              + field
              + ", at most "
              + max
              + " are read",
          Map.of(
              "manifest", manifest.toString(),
              "count", String.valueOf(array.size()),
              "limit", String.valueOf(max)));
    }
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode d : array) {
      out.add(Descriptor.from(d, manifest));
    }
    return out;
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
