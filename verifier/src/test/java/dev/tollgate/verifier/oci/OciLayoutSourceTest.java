package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.testing.OciPusher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An OCI image layout directory as an air-gapped source. */
class OciLayoutSourceTest {
  static final Repository REPO = new Repository(Repository.LAYOUT, "bundle");

  @Test
  void resolve_tagInIndex_verifiedManifestAndBlobs(@TempDir Path dir) throws Exception {
    Layout layout = Layout.write(dir, "layer bytes");
    OciLayoutSource source = OciLayoutSource.open(dir);

    Manifest m = source.resolve(ImageReference.of(REPO, "v1"));

    assertThat(m.digest()).isEqualTo(layout.manifest());
    assertThat(source.blob(REPO, m.layers().get(0)))
        .isEqualTo("layer bytes".getBytes(StandardCharsets.UTF_8));
    assertThat(source.tag(REPO, "absent")).isEmpty();
    assertThat(source.referrers(REPO, m.digest())).isEmpty();
  }

  @Test
  void blob_tamperedFile_digestMismatch(@TempDir Path dir) throws Exception {
    Layout.write(dir, "layer bytes");
    OciLayoutSource source = OciLayoutSource.open(dir);
    Manifest m = source.resolve(ImageReference.of(REPO, "v1"));
    Descriptor layer = m.layers().get(0);
    Files.writeString(blob(dir, layer.digest()), "layer BYTES", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> source.blob(REPO, layer)).isInstanceOf(DigestMismatchException.class);
  }

  @Test
  void open_withoutMarker_layoutInvalid(@TempDir Path dir) {
    assertThatThrownBy(() -> OciLayoutSource.open(dir))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.LAYOUT_INVALID));
  }

  @Test
  void tag_indexEntryWithNegativeSize_malformedManifest(@TempDir Path dir) throws Exception {
    Layout.write(dir, "layer bytes");
    Path index = dir.resolve("index.json");
    Files.writeString(
        index,
        Files.readString(index, StandardCharsets.UTF_8)
            .replaceFirst("\"size\":[0-9]+", "\"size\":-1"),
        StandardCharsets.UTF_8);
    OciLayoutSource source = OciLayoutSource.open(dir);

    assertThatThrownBy(() -> source.tag(REPO, "v1"))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> assertThat(e.reason()).isEqualTo(OciReason.MALFORMED_MANIFEST));
  }

  @Test
  void tag_indexWithoutManifestsArray_layoutInvalid(@TempDir Path dir) throws Exception {
    Layout.write(dir, "layer bytes");
    Files.writeString(
        dir.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":{}}",
        StandardCharsets.UTF_8);
    OciLayoutSource source = OciLayoutSource.open(dir);

    assertThatThrownBy(() -> source.tag(REPO, "v1"))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.LAYOUT_INVALID));
  }

  @Test
  void blob_signaturePayloadOverItsCap_tooLargeBeforeReading(@TempDir Path dir) throws Exception {
    Layout.write(dir, "layer bytes");
    byte[] big = new byte[64 * 1024 + 1];
    Descriptor stored = Layout.put(dir, "application/octet-stream", big);
    Descriptor asSignature =
        new Descriptor(
            MediaTypes.COSIGN_SIMPLE_SIGNING,
            stored.digest(),
            big.length,
            Optional.empty(),
            Map.of());
    OciLayoutSource source = OciLayoutSource.open(dir);

    assertThat(source.blob(REPO, stored)).hasSize(big.length);
    assertThatThrownBy(() -> source.blob(REPO, asSignature))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE));
  }

  record Layout(Digest manifest) {
    static Layout write(Path dir, String layerContent) throws Exception {
      Files.writeString(
          dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", StandardCharsets.UTF_8);
      Descriptor config = put(dir, OciPusher.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8));
      Descriptor layer =
          put(
              dir,
              "application/vnd.oci.image.layer.v1.tar",
              layerContent.getBytes(StandardCharsets.UTF_8));
      byte[] manifest = OciPusher.imageManifest(config, List.of(layer), null, null);
      Descriptor m = put(dir, MediaTypes.OCI_MANIFEST, manifest);
      Descriptor tagged =
          new Descriptor(
              m.mediaType(),
              m.digest(),
              m.size(),
              Optional.empty(),
              Map.of("org.opencontainers.image.ref.name", "v1"));
      Files.writeString(
          dir.resolve("index.json"),
          "{\"schemaVersion\":2,\"manifests\":["
              + new String(
                  OciPusher.bytes(OciPusher.descriptorJson(tagged)), StandardCharsets.UTF_8)
              + "]}",
          StandardCharsets.UTF_8);
      return new Layout(m.digest());
    }

    static Descriptor put(Path dir, String mediaType, byte[] content) throws Exception {
      Digest d = Digest.of(content);
      Path p = blob(dir, d);
      Files.createDirectories(p.getParent());
      Files.write(p, content);
      return new Descriptor(mediaType, d, content.length, Optional.empty(), Map.of());
    }
  }

  static Path blob(Path dir, Digest d) {
    return dir.resolve("blobs/sha256/" + d.hex());
  }
}
