package dev.tollgate.verifier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/..})
 * as a source, for air-gapped clusters: tags are the {@code org.opencontainers.image.ref.name}
 * annotations of {@code index.json}. The layout holds one repository; the repository named in a
 * request is not used to locate content. There is no referrers API; cosign's fallback tag {@code
 * sha256-<hex>} works as it does for registries.
 */
public final class OciLayoutSource implements OciSource {
  private static final String REF_NAME = "org.opencontainers.image.ref.name";

  private final Path root;
  private final OciLimits limits;

  private OciLayoutSource(Path root, OciLimits limits) {
    this.root = root;
    this.limits = limits;
  }

  /** Opens a layout with {@link OciLimits#defaults()}, checking its {@code oci-layout} marker. */
  public static OciLayoutSource open(Path root) throws OciException {
    return open(root, OciLimits.defaults());
  }

  /** Opens a layout with these manifest and (non-signature) blob caps. */
  public static OciLayoutSource open(Path root, long maxManifestBytes, long maxBlobBytes)
      throws OciException {
    return open(
        root,
        OciLimits.defaults().withManifestBytes(maxManifestBytes).withLayerBytes(maxBlobBytes));
  }

  /**
   * Opens a layout, checking its {@code oci-layout} marker. A layout is copied from elsewhere and
   * read with the same caps and the same suspicion as a registry.
   */
  public static OciLayoutSource open(Path root, OciLimits limits) throws OciException {
    OciLayoutSource source = new OciLayoutSource(root, limits);
    JsonNode marker = source.json(root.resolve("oci-layout"), 4096);
    if (!"1.0.0".equals(marker.path("imageLayoutVersion").asText())) {
      throw source.invalid("oci-layout does not declare imageLayoutVersion 1.0.0");
    }
    return source;
  }

  @Override
  public Manifest resolve(ImageReference reference) throws OciException {
    if (reference.digest().isPresent()) {
      return manifest(reference.repository(), reference.digest().get());
    }
    String tag = reference.tag().orElseThrow();
    return tag(reference.repository(), tag)
        .orElseThrow(
            () ->
                new OciException(
                    OciReason.MANIFEST_UNKNOWN,
                    "tag " + tag + " not in layout " + root,
                    Map.of("layout", root.toString(), "tag", tag)));
  }

  @Override
  public Manifest manifest(Repository repository, Digest digest) throws OciException {
    byte[] bytes = read(blobPath(digest), limits.manifestBytes(), "manifest " + digest);
    if (bytes == null) {
      throw new OciException(
          OciReason.MANIFEST_UNKNOWN,
          "manifest " + digest + " not in layout " + root,
          Map.of("layout", root.toString(), "digest", digest.toString()));
    }
    return Manifest.parse(digest, bytes, null, limits.maxDescriptors());
  }

  @Override
  public Optional<Manifest> tag(Repository repository, String tag) throws OciException {
    byte[] indexBytes = read(root.resolve("index.json"), limits.manifestBytes(), "index.json");
    if (indexBytes == null) {
      throw invalid("index.json is missing");
    }
    JsonNode index = json(indexBytes, "index.json");
    JsonNode manifests = index.path("manifests");
    if (!manifests.isArray()) {
      throw invalid("index.json has no manifests array");
    }
    for (JsonNode entry : manifests) {
      if (tag.equals(entry.path("annotations").path(REF_NAME).asText(null))) {
        Descriptor d = Descriptor.from(entry, Digest.of(indexBytes));
        Manifest m = manifest(repository, d.digest());
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  @Override
  public byte[] blob(Repository repository, Descriptor descriptor) throws OciException {
    Digest digest = descriptor.digest();
    long cap = limits.blobBytes(descriptor.mediaType());
    if (descriptor.size() > cap) {
      throw CappedBody.tooLarge("blob " + digest, descriptor.size(), cap);
    }
    long limit = descriptor.size();
    byte[] bytes = read(blobPath(digest), limit, "blob " + digest);
    if (bytes == null) {
      throw new OciException(
          OciReason.BLOB_UNKNOWN,
          "blob " + digest + " not in layout " + root,
          Map.of("layout", root.toString(), "digest", digest.toString()));
    }
    digest.verify("blob in layout " + root, bytes);
    if (bytes.length != descriptor.size()) {
      throw Descriptor.malformed(digest, "blob is not the size its descriptor says");
    }
    return bytes;
  }

  @Override
  public Optional<List<Descriptor>> referrers(Repository repository, Digest subject) {
    return Optional.empty();
  }

  private Path blobPath(Digest digest) {
    return root.resolve("blobs").resolve("sha256").resolve(digest.hex());
  }

  /** The file's bytes, or null when absent; refuses files beyond {@code limit}. */
  private byte[] read(Path file, long limit, String what) throws OciException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (bytes.length > limit) {
        throw new OciException(
            OciReason.TOO_LARGE,
            what + " is larger than " + limit + " bytes",
            Map.of("file", file.toString()));
      }
      return bytes;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new OciException(
          OciReason.LAYOUT_INVALID,
          "cannot read " + file + ": " + e.getClass().getSimpleName(),
          Map.of("file", file.toString()),
          e);
    }
  }

  private JsonNode json(Path file, long limit) throws OciException {
    byte[] bytes = read(file, limit, file.getFileName().toString());
    if (bytes == null) {
      throw invalid(file.getFileName() + " is missing");
    }
    return json(bytes, file.getFileName().toString());
  }

  private JsonNode json(byte[] bytes, String name) throws OciException {
    try {
      JsonNode node = Json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw invalid(name + " is not a JSON object");
      }
      return node;
    } catch (MalformedJsonException e) {
      throw invalid(name + " is not JSON: " + e.getMessage());
    }
  }

  private OciException invalid(String why) {
    return new OciException(
        OciReason.LAYOUT_INVALID, "layout " + root + ": " + why, Map.of("layout", root.toString()));
  }
}
