package dev.tollgate.verifier.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * Finds signatures and attestations for a digest in all the places cosign puts them. Users of other
 * verifiers report cosign v3 signatures "not found" because only one place was looked at; this
 * looks at the legacy tags and at referrers, and reports which mechanism it used.
 */
public final class ArtifactDiscovery {
  /** A sigstore bundle referrer may carry at most this many layers; cosign writes one. */
  private static final int MAX_BUNDLE_LAYERS = 4;

  private final OciSource source;
  private final Executor lookups;

  /**
   * Discovery whose independent lookups run on {@code lookups}: the owner's bounded executor for
   * registry lookups, shared by everything that reads one registry, and closed by its owner.
   */
  public ArtifactDiscovery(OciSource source, Executor lookups) {
    this.source = Objects.requireNonNull(source, "source");
    this.lookups = Objects.requireNonNull(lookups, "lookups");
  }

  /** Discovery that makes its lookups one after another in the caller's thread (tools, tests). */
  public ArtifactDiscovery(OciSource source) {
    this(source, Runnable::run);
  }

  /** Everything attached to {@code subject} in {@code repository}. */
  public Attachments discover(Repository repository, Digest subject) throws OciException {
    // The three places are independent: ask at once, so discovery costs one round trip of
    // latency, not three. The fallback tag is read only when the referrers API is missing.
    Future<Optional<Manifest>> sigLookup =
        submit(() -> source.tag(repository, subject.tagPrefix() + ".sig"));
    Future<Optional<Manifest>> attLookup =
        submit(() -> source.tag(repository, subject.tagPrefix() + ".att"));
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

  private <T> Future<T> submit(Callable<T> lookup) {
    // The verification's deadline goes with the lookup to the thread that makes it.
    FutureTask<T> task = new FutureTask<>(Deadline.propagate(lookup));
    try {
      lookups.execute(task);
    } catch (RejectedExecutionException full) {
      // An executor that refuses work (full, or closed under us) costs latency, never a lookup.
      task.run();
    }
    return task;
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
