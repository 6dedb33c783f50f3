package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.nio.charset.StandardCharsets;
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
 * zstd, which Tekton cannot read. Every layer is read by digest through the {@link OciSource}.
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
      byte[] document = singleFileOrRaw(content, ev);
      JsonNode node;
      try {
        node = Yaml.readTree(document);
      } catch (JsonProcessingException e) {
        throw new BundleException(
            BundleReason.RESOURCE_MALFORMED,
            "layer "
                + layer.digest()
                + " is not a YAML or JSON document: "
                + e.getOriginalMessage(),
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

  /**
   * The one regular file of a ustar/pax archive, or the content itself when it is not an archive
   * (Tekton accepts raw layers). A hand-written reader: the JDK has no tar support, and the format
   * subset Tekton bundles use is a few header fields; archives with more than one file are refused.
   */
  static byte[] singleFileOrRaw(byte[] content, Map<String, String> ev) throws BundleException {
    if (content.length < 512 || !isTarHeader(content, 0)) {
      return content;
    }
    byte[] file = null;
    int offset = 0;
    while (offset + 512 <= content.length) {
      if (isZeroBlock(content, offset)) {
        break;
      }
      if (!isTarHeader(content, offset)) {
        throw new BundleException(BundleReason.RESOURCE_MALFORMED, "corrupt tar header", ev);
      }
      long size = octal(content, offset + 124, 12, ev);
      byte type = content[offset + 156];
      int dataStart = offset + 512;
      if (size < 0 || size > MAX_RESOURCE_BYTES || dataStart + size > content.length) {
        throw new BundleException(BundleReason.RESOURCE_MALFORMED, "tar entry size invalid", ev);
      }
      if (type == '0' || type == 0) {
        if (file != null) {
          throw new BundleException(
              BundleReason.RESOURCE_MALFORMED,
              "layer archive holds more than one file; the contract is one resource per layer",
              ev);
        }
        file = new byte[(int) size];
        System.arraycopy(content, dataStart, file, 0, (int) size);
      } else if (type != 'x' && type != 'g' && type != '5') {
        throw new BundleException(
            BundleReason.RESOURCE_MALFORMED,
            "layer archive holds an entry of type '" + (char) type + "', not a regular file",
            ev);
      }
      offset = dataStart + (int) ((size + 511) / 512 * 512);
    }
    if (file == null) {
      throw new BundleException(BundleReason.RESOURCE_MALFORMED, "layer archive is empty", ev);
    }
    return file;
  }

  private static boolean isTarHeader(byte[] b, int offset) {
    if (offset + 512 > b.length) {
      return false;
    }
    String magic = new String(b, offset + 257, 5, StandardCharsets.US_ASCII);
    if (!"ustar".equals(magic)) {
      return false;
    }
    long stored = 0;
    for (int i = 148; i < 156; i++) {
      byte c = b[offset + i];
      if (c >= '0' && c <= '7') {
        stored = stored * 8 + (c - '0');
      }
    }
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b[offset + i] & 0xff);
    }
    return sum == stored;
  }

  private static boolean isZeroBlock(byte[] b, int offset) {
    for (int i = 0; i < 512; i++) {
      if (b[offset + i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static long octal(byte[] b, int offset, int length, Map<String, String> ev)
      throws BundleException {
    long value = 0;
    for (int i = offset; i < offset + length; i++) {
      byte c = b[i];
      if (c == 0 || c == ' ') {
        if (value > 0) {
          break;
        }
        continue;
      }
      if (c < '0' || c > '7') {
        throw new BundleException(BundleReason.RESOURCE_MALFORMED, "tar size is not octal", ev);
      }
      value = value * 8 + (c - '0');
    }
    return value;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
