package dev.tollgate.verifier.oci;

import java.util.List;
import java.util.Optional;

/**
 * Where manifests and blobs come from: a registry ({@link RegistryClient}) or an OCI image layout
 * directory ({@link OciLayoutSource}). Everything returned was checked against its digest; a tag is
 * read once, and its digest is what callers work with from then on.
 */
public interface OciSource {

  /**
   * Resolves a reference to a verified manifest. A reference with a digest is fetched by digest
   * (its tag is ignored); a tag is resolved once, and the digest of the bytes received is the pin.
   */
  Manifest resolve(ImageReference reference) throws OciException;

  /** The manifest with this digest, verified. */
  Manifest manifest(Repository repository, Digest digest) throws OciException;

  /** The manifest a tag points to now, or empty when the tag does not exist. */
  Optional<Manifest> tag(Repository repository, String tag) throws OciException;

  /**
   * The blob a descriptor names, verified against its digest and size, and refused when larger than
   * the source's blob limit.
   */
  byte[] blob(Repository repository, Descriptor descriptor) throws OciException;

  /**
   * The descriptors the OCI 1.1 referrers API lists for {@code subject} (all pages), or empty when
   * the source has no referrers API (then callers use the {@code sha256-<hex>} fallback tag). The
   * list is a hint: callers fetch each referrer by digest and check its {@code subject}.
   */
  Optional<List<Descriptor>> referrers(Repository repository, Digest subject) throws OciException;
}
