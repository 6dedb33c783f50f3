package dev.tollgate.verifier.oci;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads manifests and blobs from an OCI distribution registry over HTTP(S), with the JDK's {@link
 * HttpClient}. Every answer is hostile input: bodies are read within the {@link OciLimits} cap of
 * their kind, every round trip within a {@link Deadline}, redirects and token realms only where
 * {@link Destinations} allows, and every manifest and blob is checked against its digest before it
 * is returned. One in-flight fetch per digest; see {@link RegistryTransport} and {@link
 * RegistryAuth} for the HTTP and authentication sides.
 */
public final class RegistryClient implements OciSource {
  /** The budget of one call with its retries (ISO-8601), when no sooner deadline is current. */
  public static final String DEFAULT_CALL_TIMEOUT = "PT2M";

  private static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.MANIFESTS);
  private static final Pattern NEXT_LINK =
      Pattern.compile("<([^>]{1,2048})>\\s*;\\s*rel=\"?next\"?");
  private static final int MAX_REFERRER_PAGES = 20;

  private final RegistryTransport transport;
  private final RegistryAuth auth;
  private final Set<String> plainHttpRegistries;
  private final OciLimits limits;
  private final Duration callTimeout;
  private final SingleFlight<String, Manifest> manifestFlights = new SingleFlight<>();
  private final SingleFlight<String, byte[]> blobFlights = new SingleFlight<>();

  /** Waits between retries; replaceable so tests need not sleep. */
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  RegistryClient(RegistryClientBuilder b, HttpClient http) {
    this.plainHttpRegistries = Set.copyOf(b.plainHttpRegistries);
    this.limits = b.limits;
    this.callTimeout = b.callTimeout;
    Sleeper sleeper = b.sleeper;
    this.transport =
        new RegistryTransport(
            http, b.retry, b.requestTimeout, sleeper::sleep, b.clock, b.roundTrips);
    this.auth = new RegistryAuth(transport, b.credentials, plainHttpRegistries, b.tokenRealms);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The caps this client reads within. */
  public OciLimits limits() {
    return limits;
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
                    "tag " + tag + " not found in " + reference.repository(),
                    Map.of("reference", reference.toString())));
  }

  @Override
  public Manifest manifest(Repository repository, Digest digest) throws OciException {
    return manifestFlights.run(
        repository + "@" + digest,
        () -> {
          RegistryTransport.Answer f = fetchManifest(repository, digest.toString());
          if (f == null) {
            throw new OciException(
                OciReason.MANIFEST_UNKNOWN,
                "manifest " + digest + " not found in " + repository,
                Map.of("repository", repository.toString(), "digest", digest.toString()));
          }
          return Manifest.parse(digest, f.body(), contentType(f), limits.maxDescriptors());
        });
  }

  @Override
  public Optional<Manifest> tag(Repository repository, String tag) throws OciException {
    RegistryTransport.Answer f = fetchManifest(repository, tag);
    if (f == null) {
      return Optional.empty();
    }
    // The digest we pin is the hash of the bytes we received; a registry that claims another one
    // is serving something other than what it says.
    Digest actual = Digest.of(f.body());
    Optional<String> claimed = f.header("Docker-Content-Digest");
    if (claimed.isPresent() && !claimed.get().trim().equals(actual.toString())) {
      Digest claimedDigest;
      try {
        claimedDigest = Digest.parse(claimed.get().trim());
      } catch (OciException e) {
        throw new OciException(
            OciReason.PROTOCOL_ERROR,
            "Docker-Content-Digest for " + repository + ":" + tag + " is not a sha256 digest",
            Map.of("repository", repository.toString(), "tag", tag),
            e);
      }
      throw new DigestMismatchException(
          "manifest for tag " + repository + ":" + tag, claimedDigest, actual);
    }
    return Optional.of(Manifest.parse(actual, f.body(), contentType(f), limits.maxDescriptors()));
  }

  @Override
  public byte[] blob(Repository repository, Descriptor descriptor) throws OciException {
    Digest digest = descriptor.digest();
    long cap = limits.blobBytes(descriptor.mediaType());
    if (descriptor.size() > cap) {
      throw CappedBody.tooLarge("blob " + digest, descriptor.size(), cap);
    }
    byte[] bytes =
        blobFlights.run(
            repository + "@" + digest,
            () -> {
              String what = "blob " + digest;
              RegistryTransport.Answer r =
                  get(repository, path(repository, "blobs/" + digest), "*/*", descriptor.size());
              if (r.status() == 404) {
                throw new OciException(
                    OciReason.BLOB_UNKNOWN,
                    what + " not found in " + repository,
                    Map.of("repository", repository.toString(), "digest", digest.toString()));
              }
              expectOk(r, repository, what);
              digest.verify("blob in " + repository, r.body());
              return r.body();
            });
    if (bytes.length != descriptor.size()) {
      throw new OciException(
          OciReason.MALFORMED_MANIFEST,
          "blob "
              + digest
              + " is "
              + bytes.length
              + " bytes, its descriptor says "
              + descriptor.size(),
          Map.of("digest", digest.toString()));
    }
    return bytes.clone();
  }

  @Override
  public Optional<List<Descriptor>> referrers(Repository repository, Digest subject)
      throws OciException {
    List<Descriptor> all = new ArrayList<>();
    URI first = path(repository, "referrers/" + subject);
    URI next = first;
    for (int page = 0; next != null; page++) {
      if (page == MAX_REFERRER_PAGES) {
        throw tooManyReferrers(subject, "span more than " + MAX_REFERRER_PAGES + " pages");
      }
      RegistryTransport.Answer r =
          transport.get(
              repository,
              next,
              MediaTypes.OCI_INDEX,
              limits.manifestBytes(),
              "referrers of " + subject,
              auth,
              deadline());
      if (r.status() == 404 && page == 0) {
        // OCI distribution 1.1: a registry without the referrers API answers 404.
        return Optional.empty();
      }
      expectOk(r, repository, "referrers of " + subject);
      // The referrers index is generated by the registry, not content-addressed: its own hash is
      // the only digest it has. Each referrer is fetched by digest later.
      Manifest index =
          Manifest.parse(Digest.of(r.body()), r.body(), contentType(r), limits.maxReferrers());
      if (!index.isIndex()) {
        throw Descriptor.malformed(index.digest(), "referrers response is not an index");
      }
      all.addAll(index.manifests());
      if (all.size() > limits.maxReferrers()) {
        throw tooManyReferrers(subject, "number more than " + limits.maxReferrers());
      }
      next = nextPage(r, first, next);
    }
    return Optional.of(all);
  }

  private static OciException tooManyReferrers(Digest subject, String why) {
    return new OciException(
        OciReason.TOO_LARGE,
        "referrers of " + subject + " " + why,
        Map.of("subject", subject.toString()));
  }

  /** The next page the {@code Link} header names, followed only on the registry's origin. */
  private static URI nextPage(RegistryTransport.Answer r, URI origin, URI current)
      throws OciException {
    Optional<String> link = r.header("Link");
    if (link.isEmpty()) {
      return null;
    }
    Matcher m = NEXT_LINK.matcher(link.get());
    if (!m.find()) {
      return null;
    }
    URI next = Destinations.resolve(current, m.group(1), "referrers next page");
    if (!RegistryTransport.sameOrigin(origin, next)) {
      throw Destinations.refused(
          origin, "referrers next page is on another origin", String.valueOf(next.getHost()));
    }
    return next;
  }

  /** A manifest fetched by tag or digest; null when the registry says it does not exist. */
  private RegistryTransport.Answer fetchManifest(Repository repository, String reference)
      throws OciException {
    RegistryTransport.Answer r =
        get(
            repository,
            path(repository, "manifests/" + reference),
            MANIFEST_ACCEPT,
            limits.manifestBytes());
    if (r.status() == 404) {
      return null;
    }
    expectOk(r, repository, "manifest " + repository + ":" + reference);
    return r;
  }

  private RegistryTransport.Answer get(Repository repository, URI uri, String accept, long cap)
      throws OciException {
    String what = uri.getPath().substring(uri.getPath().lastIndexOf("/v2/") + 4);
    return transport.get(repository, uri, accept, cap, what, auth, deadline());
  }

  /** The verification's deadline, or this call's own budget if that is sooner or there is none. */
  private Deadline deadline() {
    Deadline own = Deadline.after(callTimeout);
    return Deadline.current().map(d -> Deadline.earlier(d, own)).orElse(own);
  }

  private static String contentType(RegistryTransport.Answer r) {
    // Parameters (charset) are not part of the media type.
    return r.header("Content-Type").map(t -> t.split(";", 2)[0].trim()).orElse(null);
  }

  private static void expectOk(RegistryTransport.Answer r, Repository repository, String what)
      throws OciException {
    int status = r.status();
    if (status == 200) {
      return;
    }
    Map<String, String> evidence =
        Map.of("repository", repository.toString(), "status", String.valueOf(status), "what", what);
    if (status == 401 || status == 403) {
      throw new OciException(
          OciReason.UNAUTHORIZED,
          "registry refused access to " + what + " (HTTP " + status + ")",
          evidence);
    }
    throw new OciException(
        OciReason.PROTOCOL_ERROR, "unexpected HTTP " + status + " for " + what, evidence);
  }

  private URI path(Repository repository, String rest) throws OciException {
    String host =
        "docker.io".equals(repository.registry()) ? "registry-1.docker.io" : repository.registry();
    String scheme = plainHttpRegistries.contains(repository.registry()) ? "http" : "https";
    try {
      return new URI(scheme + "://" + host + "/v2/" + repository.name() + "/" + rest);
    } catch (URISyntaxException e) {
      throw new OciException(
          OciReason.INVALID_REFERENCE,
          "cannot address " + repository + " over HTTP",
          Map.of("repository", repository.toString()),
          e);
    }
  }

  /** Settings with safe defaults; see {@link RegistryClientBuilder}. */
  public static final class Builder extends RegistryClientBuilder {
    private Builder() {}
  }
}
