package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Manifests an attacker serves from a registry they control, one named fixture per failure mode
 * ({@code src/test/resources/oci/hostile-manifests}): each must end as a checked {@link
 * OciException} with a reason and the manifest's digest, never as an unchecked exception. The first
 * two fixtures are the crashes of issue 16 (a layer with {@code "size": -1}, an empty {@code
 * mediaType}).
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
class HostileManifestTest {
  private static final String DIR = "/oci/hostile-manifests/";
  private static final List<String> FIXTURES =
      List.of(
          "layer-size-negative",
          "layer-media-type-empty",
          "layer-media-type-missing",
          "layer-media-type-number",
          "layer-size-missing",
          "layer-size-string",
          "layer-size-fraction",
          "layer-size-beyond-long",
          "layer-digest-sha512",
          "layer-digest-uppercase",
          "layer-digest-short",
          "layer-digest-missing",
          "layer-digest-object",
          "layer-annotation-number",
          "layer-annotations-array",
          "layer-artifact-type-object",
          "layer-not-object",
          "layers-object",
          "layers-missing",
          "config-missing",
          "config-null",
          "subject-string",
          "media-type-number",
          "media-type-unknown",
          "schema-version-string",
          "schema-version-one",
          "annotations-string",
          "artifact-type-array",
          "manifest-with-manifests",
          "index-with-layers",
          "index-manifests-object",
          "index-manifests-missing",
          "not-json",
          "json-array",
          "json-null",
          "duplicate-key");

  private HostileRegistry registry;
  private Repository repo;
  private volatile byte[] served;

  @BeforeEach
  void start() throws IOException {
    registry = HostileRegistry.onLoopback();
    repo = new Repository(registry.host(), "acme/app");
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> HostileRegistry.respond(ex, 200, served, MediaTypes.OCI_MANIFEST));
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  static Stream<String> fixtures() {
    return FIXTURES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void tag_hostileManifest_malformedManifestWithDigest(String fixture) throws IOException {
    served = fixture(fixture);
    RegistryClient client = registry.client().build();

    assertThatThrownBy(() -> client.tag(repo, "v1"))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.MALFORMED_MANIFEST);
              assertThat(e.evidence()).containsEntry("manifest", Digest.of(served).toString());
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void manifest_hostileManifestByDigest_malformedManifest(String fixture) throws IOException {
    served = fixture(fixture);
    RegistryClient client = registry.client().build();

    assertThatThrownBy(() -> client.manifest(repo, Digest.of(served)))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> assertThat(e.reason()).isEqualTo(OciReason.MALFORMED_MANIFEST));
  }

  @Test
  void fixtures_everyFileIsListed_noFailureModeForgotten() throws IOException {
    java.nio.file.Path dir;
    try {
      dir = java.nio.file.Path.of(getClass().getResource(DIR).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString().replace(".json", "")).sorted())
          .containsExactlyElementsOf(FIXTURES.stream().sorted().toList());
    }
  }

  @Test
  void tag_wellFormedManifest_parses() throws OciException {
    served = Documents.image(List.of(Documents.LAYER));
    Manifest m = registry.client().build().tag(repo, "v1").orElseThrow();

    assertThat(m.layers()).hasSize(1);
    assertThat(m.layers().get(0).size()).isEqualTo(1234);
  }

  @Test
  void discover_attestationTagWithNegativeLayerSize_malformedManifestNotUnchecked()
      throws IOException {
    served = fixture("layer-size-negative");
    ArtifactDiscovery discovery = new ArtifactDiscovery(registry.client().build());
    registry.on(
        "/v2/acme/app/referrers/", ex -> HostileRegistry.respond(ex, 404, new byte[0], null));

    assertThatThrownBy(() -> discovery.discover(repo, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> assertThat(e.reason()).isEqualTo(OciReason.MALFORMED_MANIFEST));
  }

  @Test
  void tag_moreLayersThanTheCap_tooLarge() {
    served = Documents.image(java.util.Collections.nCopies(129, Documents.LAYER));

    assertThatThrownBy(() -> registry.client().build().tag(repo, "v1"))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE);
              assertThat(e.evidence()).containsEntry("count", "129").containsEntry("limit", "128");
            });
  }

  @Test
  void tag_contentTypeWithParameters_readsTheMediaType() throws OciException {
    String doc = new String(Documents.image(List.of()), StandardCharsets.UTF_8);
    served =
        doc.replace(",\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"", "")
            .getBytes(StandardCharsets.UTF_8);
    registry.on(
        "/v2/acme/app/manifests/",
        ex ->
            HostileRegistry.respond(ex, 200, served, MediaTypes.OCI_MANIFEST + "; charset=utf-8"));
    assertThat(served).isNotEqualTo(Documents.image(List.of()));

    Manifest m =
        registry
            .client()
            .build()
            .tag(new Repository(registry.host(), "acme/app"), "v1")
            .orElseThrow();

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  private byte[] fixture(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream(DIR + name + ".json")) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** Valid documents built by hand, so the hostile ones differ from them in one thing only. */
  static final class Documents {
    static final Map<String, Object> LAYER =
        Map.of(
            "mediaType",
            MediaTypes.DSSE_ENVELOPE,
            "digest",
            "sha256:" + "ab".repeat(32),
            "size",
            1234);

    static byte[] image(List<Map<String, Object>> layers) {
      Map<String, Object> doc = new java.util.LinkedHashMap<>();
      doc.put("schemaVersion", 2);
      doc.put("mediaType", MediaTypes.OCI_MANIFEST);
      doc.put(
          "config",
          Map.of(
              "mediaType",
              "application/vnd.oci.image.config.v1+json",
              "digest",
              Digest.of("{}".getBytes(StandardCharsets.UTF_8)).toString(),
              "size",
              2));
      doc.put("layers", layers);
      return dev.tollgate.schemas.json.Json.writeBytes(doc);
    }

    private Documents() {}
  }
}
