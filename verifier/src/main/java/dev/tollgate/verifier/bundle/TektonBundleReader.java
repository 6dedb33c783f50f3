package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads a Tekton bundle per Tekton's bundle contract (tektoncd/pipeline {@code
 * docs/tekton-bundle-contracts.md}, {@code pkg/remote/oci}): one resource per layer, annotated with
 * {@code dev.tekton.image.name}, {@code .kind} and {@code .apiVersion}; at most 20 layers; the
 * layer a single-file tar (optionally gzip-compressed) or the raw document; any media type except
 * zstd, which Tekton cannot read. Every layer is read by digest through the {@link OciSource}. The
 * archive and the YAML are read as Tekton's Go code reads them, or refused ({@link LayerArchive},
 * {@link TektonYaml}).
 */
public final class TektonBundleReader {
  public static final String NAME_ANNOTATION = "dev.tekton.image.name";
  public static final String KIND_ANNOTATION = "dev.tekton.image.kind";
  public static final String API_VERSION_ANNOTATION = "dev.tekton.image.apiVersion";

  /** Tekton's {@code MaximumBundleObjects}. */
  public static final int MAX_LAYERS = 20;

  private static final int MAX_RESOURCE_BYTES = Yaml.MAX_DOCUMENT_CODE_POINTS;

  private final OciSource source;

  public TektonBundleReader(OciSource source) {
    this.source = source;
  }

  /** Reads the bundle whose manifest was resolved (and verified) for {@code pinned}. */
  public TektonBundle read(ImageReference pinned, Manifest manifest)
      throws BundleException, OciException {
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("bundle", pinned.toString());
    if (manifest.isIndex()) {
      throw new BundleException(
          BundleReason.RESOURCE_MALFORMED,
          "a Tekton bundle is an image manifest, not an index",
          evidence);
    }
    List<Descriptor> layers = manifest.layers();
    if (layers.size() > MAX_LAYERS) {
      evidence.put("layers", String.valueOf(layers.size()));
      evidence.put("maximum", String.valueOf(MAX_LAYERS));
      throw new BundleException(
          BundleReason.TOO_MANY_LAYERS,
          "bundle "
              + manifest.digest()
              + " has "
              + layers.size()
              + " layers; Tekton reads at most "
              + MAX_LAYERS,
          evidence);
    }
    List<BundleResource> resources = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Descriptor layer : layers) {
      Map<String, String> ev = new LinkedHashMap<>(evidence);
      ev.put("layer", layer.digest().toString());
      ev.put("mediaType", layer.mediaType());
      if (layer.mediaType().toLowerCase(Locale.ROOT).contains("zstd")) {
        throw new BundleException(
            BundleReason.ZSTD_LAYER,
            "layer " + layer.digest() + " is zstd-compressed (" + layer.mediaType() + ")",
            ev);
      }
      String name = layer.annotations().get(NAME_ANNOTATION);
      String kind = layer.annotations().get(KIND_ANNOTATION);
      String apiVersion = layer.annotations().get(API_VERSION_ANNOTATION);
      if (isBlank(name) || isBlank(kind) || isBlank(apiVersion)) {
        throw new BundleException(
            BundleReason.ANNOTATION_MISSING,
            "layer " + layer.digest() + " lacks " + NAME_ANNOTATION + ", .kind or .apiVersion",
            ev);
      }
      ev.put("resource", kind + "/" + name);
      if (!seen.add(kind.toLowerCase(Locale.ROOT) + "/" + name)) {
        throw new BundleException(
            BundleReason.DUPLICATE_RESOURCE, "two layers hold " + kind + "/" + name, ev);
      }
      byte[] content = uncompress(source.blob(pinned.repository(), layer), ev);
      byte[] document = LayerArchive.singleFileOrRaw(content, MAX_RESOURCE_BYTES, ev);
      JsonNode node;
      try {
        node = TektonYaml.read(document);
      } catch (TektonYaml.Refused e) {
        throw new BundleException(
            BundleReason.YAML_NOT_AS_TEKTON_READS,
            "layer " + layer.digest() + ": " + e.getMessage(),
            ev);
      }
      if (!node.isObject()
          || !kind.equalsIgnoreCase(node.path("kind").asText())
          || !name.equals(node.path("metadata").path("name").asText())) {
        throw new BundleException(
            BundleReason.RESOURCE_MISMATCH,
            "layer annotations name "
                + kind
                + "/"
                + name
                + " but the document is "
                + node.path("kind").asText("?")
                + "/"
                + node.path("metadata").path("name").asText("?"),
            ev);
      }
      resources.add(new BundleResource(name, kind, apiVersion, layer.digest(), node));
    }
    return new TektonBundle(pinned, resources);
  }

  private static byte[] uncompress(byte[] content, Map<String, String> ev) throws BundleException {
    if (content.length < 2 || (content[0] & 0xff) != 0x1f || (content[1] & 0xff) != 0x8b) {
      return content;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > MAX_RESOURCE_BYTES + 1024 * 1024) {
          throw new BundleException(
              BundleReason.RESOURCE_MALFORMED, "gzip layer uncompresses beyond the limit", ev);
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new BundleException(
          BundleReason.RESOURCE_MALFORMED, "gzip layer is corrupt: " + e.getMessage(), ev);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
