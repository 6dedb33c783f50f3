package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where a hostile registry may send the verifier, and what goes with it: redirects, pagination
 * links and bearer realms are the registry's to write, credentials are ours and stay on the
 * registry's host.
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
class RegistryRedirectAndAuthTest {
  private static final String PASSWORD = "s3cr3t-pa55";
  private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
  private static final Descriptor BLOB_DESCRIPTOR =
      new Descriptor(
          "application/octet-stream", Digest.of(BLOB), BLOB.length, Optional.empty(), Map.of());

  private HostileRegistry registry;
  private Repository repo;

  @BeforeEach
  void start() throws IOException {
    registry = HostileRegistry.onLoopback();
    repo = new Repository(registry.host(), "acme/app");
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private RegistryCredentials robot() {
    return RegistryCredentials.of(
        Map.of(registry.host(), new Credential("robot", Secret.of(PASSWORD))));
  }

  private void redirectBlobsTo(String location) {
    registry.on(
        "/v2/acme/app/blobs/",
        ex -> {
          ex.getResponseHeaders().add("Location", location);
          HostileRegistry.respond(ex, 307, new byte[0], null);
        });
  }

  @Test
  void blob_redirectToCdnOnAnotherHost_followedWithoutCredentials() throws Exception {
    try (HostileRegistry cdn = HostileRegistry.onLoopback()) {
      cdn.on("/cdn/", ex -> HostileRegistry.respond(ex, 200, BLOB, "application/octet-stream"));
      registry.on(
          "/v2/acme/app/blobs/",
          ex -> {
            if (ex.getRequestHeaders().getFirst("Authorization") == null) {
              ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
              HostileRegistry.respond(ex, 401, new byte[0], null);
              return;
            }
            // "localhost" is another host than "127.0.0.1" to the client, as a CDN is.
            ex.getResponseHeaders()
                .add("Location", "http://localhost:" + cdn.port() + "/cdn/blob?sig=abc");
            HostileRegistry.respond(ex, 307, new byte[0], null);
          });

      byte[] read = registry.client().credentials(robot()).build().blob(repo, BLOB_DESCRIPTOR);

      assertThat(read).isEqualTo(BLOB);
      assertThat(registry.requests)
          .last()
          .asString()
          .startsWith("/v2/acme/app/blobs/")
          .contains("Basic ");
      assertThat(cdn.requests).containsExactly("/cdn/blob -");
    }
  }

  @Test
  void blob_redirectToFileScheme_redirectRefused() {
    redirectBlobsTo("file:///etc/passwd");

    assertRefused(() -> registry.client().build().blob(repo, BLOB_DESCRIPTOR), "scheme 'file'");
  }

  @Test
  void blob_redirectToFtp_redirectRefused() {
    redirectBlobsTo("ftp://mirror.example/blob");

    assertRefused(() -> registry.client().build().blob(repo, BLOB_DESCRIPTOR), "scheme 'ftp'");
  }

  @Test
  void blob_redirectToUnparseableLocation_redirectRefused() {
    redirectBlobsTo("http://[not a uri");

    assertRefused(() -> registry.client().build().blob(repo, BLOB_DESCRIPTOR), "not a URI");
  }

  @Test
  void blob_redirectToCloudMetadataAddress_refusedWithoutConnecting() {
    redirectBlobsTo("http://169.254.169.254/latest/meta-data/");

    assertRefused(() -> registry.client().build().blob(repo, BLOB_DESCRIPTOR), "link-local");
  }

  @Test
  void blob_redirectWithUserInfo_redirectRefused() {
    redirectBlobsTo("http://user:pw@127.0.0.1:" + registry.port() + "/x");

    assertRefused(() -> registry.client().build().blob(repo, BLOB_DESCRIPTOR), "user info");
  }

  @Test
  void blob_redirectLoop_protocolErrorAfterFiveHops() {
    redirectBlobsTo("/v2/acme/app/blobs/" + BLOB_DESCRIPTOR.digest());

    assertThatThrownBy(() -> registry.client().build().blob(repo, BLOB_DESCRIPTOR))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.PROTOCOL_ERROR));
    assertThat(registry.hits.get("/v2/acme/app/blobs/")).isEqualTo(6);
  }

  @Test
  void blob_registryOffLoopbackRedirectsToLoopback_redirectRefused() throws Exception {
    InetAddress external = nonLoopbackAddress();
    try (HostileRegistry outside =
        HostileRegistry.on(InetAddress.getByName("0.0.0.0"), external.getHostAddress())) {
      outside.on(
          "/v2/acme/app/blobs/",
          ex -> {
            ex.getResponseHeaders()
                .add("Location", "http://127.0.0.1:" + outside.port() + "/admin");
            HostileRegistry.respond(ex, 302, new byte[0], null);
          });
      Repository there = new Repository(outside.host(), "acme/app");

      assertRefused(() -> outside.client().build().blob(there, BLOB_DESCRIPTOR), "loopback");
      assertThat(outside.requests).hasSize(1);
    }
  }

  @Test
  void manifest_bearerRealmOnAnotherHost_tokenAskedWithoutCredentials() throws Exception {
    byte[] manifest = emptyImage();
    bearerProtected(manifest, "localhost");

    Manifest m = registry.client().credentials(robot()).build().manifest(repo, Digest.of(manifest));

    assertThat(m.digest()).isEqualTo(Digest.of(manifest));
    assertThat(registry.requests).contains("/token -").noneMatch(r -> r.contains("Basic"));
  }

  @Test
  void manifest_bearerRealmOnConfiguredHost_tokenAskedWithCredentials() throws Exception {
    byte[] manifest = emptyImage();
    bearerProtected(manifest, "localhost");

    registry
        .client()
        .credentials(robot())
        .tokenRealm(registry.host(), "localhost")
        .build()
        .manifest(repo, Digest.of(manifest));

    assertThat(registry.requests).anyMatch(r -> r.startsWith("/token Basic "));
  }

  @Test
  void manifest_bearerRealmOnRegistryHost_tokenAskedWithCredentials() throws Exception {
    byte[] manifest = emptyImage();
    bearerProtected(manifest, "127.0.0.1");

    registry.client().credentials(robot()).build().manifest(repo, Digest.of(manifest));

    assertThat(registry.requests).anyMatch(r -> r.startsWith("/token Basic "));
  }

  @Test
  void manifest_bearerRealmFileScheme_redirectRefused() {
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"file:///etc/shadow\"");
          HostileRegistry.respond(ex, 401, new byte[0], null);
        });

    assertRefused(
        () -> registry.client().credentials(robot()).build().manifest(repo, Digest.of(BLOB)),
        "scheme 'file'");
  }

  @Test
  void manifest_tokenWithHeaderBreak_unauthorizedNotIllegalArgument() {
    registry.on(
        "/token",
        ex ->
            HostileRegistry.respond(
                ex,
                200,
                "{\"token\":\"abc\\r\\nX-Evil: 1\"}".getBytes(StandardCharsets.UTF_8),
                "application/json"));
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders()
              .add("WWW-Authenticate", "Bearer realm=\"http://" + registry.host() + "/token\"");
          HostileRegistry.respond(ex, 401, new byte[0], null);
        });

    assertThatThrownBy(() -> registry.client().build().manifest(repo, Digest.of(BLOB)))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.UNAUTHORIZED));
  }

  @Test
  void manifest_garbageChallenges_checkedFailureEach() throws Exception {
    Map<String, OciReason> challenges = new java.util.LinkedHashMap<>();
    challenges.put("", OciReason.UNAUTHORIZED);
    challenges.put("Bearer", OciReason.UNAUTHORIZED);
    challenges.put("Bearer realm", OciReason.UNAUTHORIZED);
    challenges.put("Negotiate abc", OciReason.UNAUTHORIZED);
    challenges.put("Bearer realm=\"http://[::1\"", OciReason.UNAUTHORIZED);
    challenges.put("Bearer realm=\"\"", OciReason.REDIRECT_REFUSED);
    challenges.put("Bearer realm=\"/token\"", OciReason.REDIRECT_REFUSED);
    challenges.put("Bearer realm=\"http:///token\"", OciReason.REDIRECT_REFUSED);
    java.util.concurrent.atomic.AtomicReference<String> current =
        new java.util.concurrent.atomic.AtomicReference<>();
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("WWW-Authenticate", current.get());
          HostileRegistry.respond(ex, 401, new byte[0], null);
        });

    for (Map.Entry<String, OciReason> c : challenges.entrySet()) {
      current.set(c.getKey());
      assertThatThrownBy(() -> registry.client().build().manifest(repo, Digest.of(BLOB)))
          .as(c.getKey())
          .isInstanceOfSatisfying(
              OciException.class, e -> assertThat(e.reason()).isEqualTo(c.getValue()));
    }
  }

  @Test
  void referrers_nextPageOnAnotherOrigin_redirectRefused() {
    registry.on(
        "/v2/acme/app/referrers/",
        ex -> {
          ex.getResponseHeaders().add("Link", "<http://localhost:1/v2/x?page=2>; rel=\"next\"");
          HostileRegistry.respond(
              ex,
              200,
              ("{\"schemaVersion\":2,\"mediaType\":\""
                      + MediaTypes.OCI_INDEX
                      + "\",\"manifests\":[]}")
                  .getBytes(StandardCharsets.UTF_8),
              MediaTypes.OCI_INDEX);
        });

    assertRefused(
        () -> registry.client().build().referrers(repo, Digest.of(BLOB)), "another origin");
  }

  @Test
  void tag_dockerContentDigestNotADigest_protocolError() {
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("Docker-Content-Digest", "md5:abc");
          HostileRegistry.respond(ex, 200, emptyImage(), MediaTypes.OCI_MANIFEST);
        });

    assertThatThrownBy(() -> registry.client().build().tag(repo, "v1"))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.PROTOCOL_ERROR));
  }

  private void bearerProtected(byte[] manifest, String realmHost) {
    registry.on(
        "/token",
        ex ->
            HostileRegistry.respond(
                ex, 200, "{\"token\":\"tok-1\"}".getBytes(StandardCharsets.UTF_8), null));
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          if (!"Bearer tok-1".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders()
                .add(
                    "WWW-Authenticate",
                    "Bearer realm=\"http://"
                        + realmHost
                        + ":"
                        + registry.port()
                        + "/token\",service=\"fake\"");
            HostileRegistry.respond(ex, 401, new byte[0], null);
            return;
          }
          HostileRegistry.respond(ex, 200, manifest, MediaTypes.OCI_MANIFEST);
        });
  }

  static byte[] emptyImage() {
    return HostileManifestTest.Documents.image(java.util.List.of());
  }

  private static void assertRefused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String why) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.REDIRECT_REFUSED);
              assertThat(e.getMessage()).contains(why).doesNotContain(PASSWORD);
            });
  }

  private static InetAddress nonLoopbackAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
          return a;
        }
      }
    }
    Assumptions.abort("this machine has no non-loopback IPv4 address to serve a registry on");
    throw new IllegalStateException("unreachable");
  }
}
