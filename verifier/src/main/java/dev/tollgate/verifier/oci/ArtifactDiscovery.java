package dev.tollgate.verifier.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Finds signatures and attestations for a digest in all the places cosign puts them. Users of other
 * verifiers report cosign v3 signatures "not found" because only one place was looked at; this
 * looks at the legacy tags and at referrers, and reports which mechanism it used.
 */
public final class ArtifactDiscovery {
  /** A sigstore bundle referrer may carry at most this many layers; cosign writes one. */
  private static final int MAX_BUNDLE_LAYERS = 4;

  /** Daemon threads for the concurrent lookups; idle ones end after a minute. */
  private static final ExecutorService LOOKUPS =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "tollgate-discovery");
            t.setDaemon(true);
            return t;
          });

  private final OciSource source;

  public ArtifactDiscovery(OciSource source) {
    this.source = source;
  }

  /** Everything attached to {@code subject} in {@code repository}. */
  public Attachments discover(Repository repository, Digest subject) throws OciException {
    // The three places are independent: ask at once, so discovery costs one round trip of
    // latency, not three. The fallback tag is read only when the referrers API is missing.
    // The verification's deadline goes with the lookups to the threads that make them.
    Future<Optional<Manifest>> sigLookup =
        LOOKUPS.submit(
            Deadline.propagate(() -> source.tag(repository, subject.tagPrefix() + ".sig")));
    Future<Optional<Manifest>> attLookup =
        LOOKUPS.submit(
            Deadline.propagate(() -> source.tag(repository, subject.tagPrefix() + ".att")));
    Optional<List<Descriptor>> api;
    Optional<Manifest> sig;
    Optional<Manifest> att;
    try {
      api = source.referrers(repository, subject);
    } finally {
      sig = Lookups.join(sigLookup);
      att = Lookups.join(attLookup);
    }
    if (api.isPresent()) {
      return new Attachments(
          repository, subject, sig, att, api.get(), Attachments.ReferrerSource.REFERRERS_API);
    }
    List<Descriptor> fallback = List.of();
    Optional<Manifest> index = source.tag(repository, subject.tagPrefix());
    if (index.isPresent()) {
      if (!index.get().isIndex()) {
        throw Descriptor.malformed(
            index.get().digest(), "fallback tag " + subject.tagPrefix() + " is not an index");
      }
      fallback = index.get().manifests();
    }
    return new Attachments(
        repository, subject, sig, att, fallback, Attachments.ReferrerSource.FALLBACK_TAG);
  }

  /**
   * The sigstore v0.3 bundles among the referrers: each referrer manifest is fetched by digest,
   * must name {@code attachments.subject()} as its subject (a fallback index is only a mutable tag,
   * anyone with push access can list anything in it), and its bundle layer is read by digest.
   */
  public List<SigstoreBundleArtifact> sigstoreBundles(Attachments attachments) throws OciException {
    List<SigstoreBundleArtifact> bundles = new ArrayList<>();
    for (Descriptor d : attachments.referrers()) {
      boolean listedAsBundle =
          d.artifactType().map(MediaTypes.SIGSTORE_BUNDLE_V03::equals).orElse(false);
      if (d.artifactType().isPresent() && !listedAsBundle) {
        continue;
      }
      Manifest m = source.manifest(attachments.repository(), d.digest());
      if (!m.artifactType().map(MediaTypes.SIGSTORE_BUNDLE_V03::equals).orElse(false)) {
        continue;
      }
      Digest subject = m.subject().map(Descriptor::digest).orElse(null);
      if (!attachments.subject().equals(subject)) {
        throw new OciException(
            OciReason.MALFORMED_MANIFEST,
            "referrer "
                + m.digest()
                + " is listed for "
                + attachments.subject()
                + " but its subject is "
                + subject,
            Map.of(
                "referrer", m.digest().toString(),
                "expected", attachments.subject().toString(),
                "actual", String.valueOf(subject)));
      }
      if (m.layers().size() > MAX_BUNDLE_LAYERS) {
        throw Descriptor.malformed(m.digest(), "bundle referrer has too many layers");
      }
      for (Descriptor layer : m.layers()) {
        if (MediaTypes.SIGSTORE_BUNDLE_V03.equals(layer.mediaType())) {
          bundles.add(
              new SigstoreBundleArtifact(m, layer, source.blob(attachments.repository(), layer)));
        }
      }
    }
    return bundles;
  }
}
