package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.TektonResource;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link RegistryClient} against a real registry (distribution 2.8). */
@ExtendWith(RegistryExtension.class)
class RegistryClientTest {

  @Test
  void resolve_tag_pinsDigestOfReceivedBytes(RegistryServer registry) throws Exception {
    Repository repo = new Repository(registry.host(), "client/resolve");
    Pushed image = pusher(registry).image(repo, "v1", "resolve");

    Manifest m =
        client(registry).resolve(ImageReference.parse(registry.host() + "/client/resolve:v1"));

    assertThat(m.digest()).isEqualTo(image.digest());
    assertThat(m.bytes()).isEqualTo(image.bytes());
    assertThat(m.layers()).hasSize(2);
  }

  @Test
  void blob_tamperedInRegistryStorage_throwsDigestMismatchWithEvidence(RegistryServer registry)
      throws Exception {
    Repository repo = new Repository(registry.host(), "client/tampered");
    Pushed image = pusher(registry).image(repo, "v1", "tamper");
    Descriptor layer = image.layers().get(0);
    byte[] original = Files.readAllBytes(registry.blobData(layer.digest().hex()));
    byte[] tampered = original.clone();
    tampered[0] ^= 1;
    Files.write(registry.blobData(layer.digest().hex()), tampered);

    assertThatThrownBy(() -> client(registry).blob(repo, layer))
        .isInstanceOfSatisfying(
            DigestMismatchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.DIGEST_MISMATCH);
              assertThat(e.expected()).isEqualTo(layer.digest());
              assertThat(e.actual()).isEqualTo(Digest.of(tampered));
            });
  }

  @Test
  void blob_largerThanLimit_throwsTooLargeBeforeReading(RegistryServer registry) throws Exception {
    Repository repo = new Repository(registry.host(), "client/large");
    Descriptor big = pusher(registry).blob(repo, "application/octet-stream", new byte[4096]);
    RegistryClient small =
        RegistryClient.builder().plainHttp(registry.host()).maxBlobBytes(1024).build();

    assertThatThrownBy(() -> small.blob(repo, big))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE));
  }

  @Test
  void manifest_unknownDigest_throwsManifestUnknown(RegistryServer registry) {
    Repository repo = new Repository(registry.host(), "client/unknown");
    Digest absent = Digest.of("absent".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> client(registry).manifest(repo, absent))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.MANIFEST_UNKNOWN);
              assertThat(e.evidence()).containsEntry("digest", absent.toString());
            });
  }

  @Test
  void resolve_tektonBundle_layersCarryTektonAnnotations(RegistryServer registry) throws Exception {
    Repository repo = new Repository(registry.host(), "client/tekton");
    pusher(registry)
        .tektonBundle(
            repo,
            "v1",
            List.of(
                new TektonResource(
                    "build", "pipeline", "apiVersion: tekton.dev/v1\nkind: Pipeline\n"),
                new TektonResource("compile", "task", "apiVersion: tekton.dev/v1\nkind: Task\n")));
    RegistryClient client = client(registry);

    Manifest bundle = client.resolve(ImageReference.of(repo, "v1"));
    byte[] layer = client.blob(repo, bundle.layers().get(0));

    assertThat(bundle.layers())
        .extracting(d -> d.annotations().get("dev.tekton.image.kind"))
        .containsExactly("pipeline", "task");
    assertThat(bundle.layers().get(1).annotations())
        .containsEntry("dev.tekton.image.name", "compile")
        .containsEntry("dev.tekton.image.apiVersion", "v1");
    assertThat(new String(layer, StandardCharsets.US_ASCII)).startsWith("build.yaml");
  }

  @Test
  void discover_registryWithoutReferrersApi_usesFallbackTagAndLegacyTags(RegistryServer registry)
      throws Exception {
    Repository repo = new Repository(registry.host(), "client/discover");
    OciPusher push = pusher(registry);
    Pushed image = push.image(repo, "v1", "discover");
    push.legacySignatures(repo, image.digest(), List.of());
    push.bundleReferrer(repo, image, List.of("{}".getBytes(StandardCharsets.UTF_8)));
    ArtifactDiscovery discovery = new ArtifactDiscovery(client(registry));

    Attachments found = discovery.discover(repo, image.digest());

    assertThat(found.referrerSource()).isEqualTo(Attachments.ReferrerSource.FALLBACK_TAG);
    assertThat(found.legacySignatures()).isPresent();
    assertThat(found.legacyAttestations()).isEmpty();
    assertThat(discovery.sigstoreBundles(found)).hasSize(1);
  }

  @Test
  void resolve_tlsRegistryWithCustomCa_connectsOnlyWhenCaTrusted(@TempDir Path dir)
      throws Exception {
    Prerequisites.requireOpenssl();
    Programs.check(
        dir,
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1"));
    RegistryClient trusting =
        RegistryClient.builder().trustedCertificates(dir.resolve("cert.pem")).build();
    javax.net.ssl.SSLContext probe = sslContextFor(dir.resolve("cert.pem"));
    try (RegistryServer tls =
        RegistryServer.start(dir, dir.resolve("cert.pem"), dir.resolve("key.pem"), probe)) {
      Repository repo = new Repository(tls.host(), "client/tls");
      RegistryClient defaults = RegistryClient.builder().retry(RetryPolicy.none()).build();

      assertThatThrownBy(() -> defaults.tag(repo, "v1"))
          .isInstanceOfSatisfying(
              OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.TLS_FAILURE));
      assertThat(trusting.tag(repo, "v1")).isEmpty();
    }
  }

  private static javax.net.ssl.SSLContext sslContextFor(Path pem) throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (var in = Files.newInputStream(pem)) {
      store.setCertificateEntry(
          "ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static RegistryClient client(RegistryServer registry) {
    return RegistryClient.builder().plainHttp(registry.host()).build();
  }

  static OciPusher pusher(RegistryServer registry) {
    return new OciPusher("http", registry.host());
  }
}
