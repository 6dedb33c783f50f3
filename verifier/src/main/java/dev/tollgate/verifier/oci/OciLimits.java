package dev.tollgate.verifier.oci;

/**
 * How much of a registry's answer is ever read, per kind of artifact. The caps are enforced while
 * bytes arrive (a {@code Content-Length} is only trusted to refuse early, never to allow), so a
 * registry that streams without end costs at most the cap, and the caps together stay far below the
 * verifier pod's memory limit (768 MiB) even with several verifications in flight.
 *
 * <p>A blob's kind is its descriptor's media type. That is sound because every reader selects the
 * layers it interprets by media type first: a signature payload is only ever read from a layer
 * typed {@link MediaTypes#COSIGN_SIMPLE_SIGNING}, so relabelling it gets a smaller cap or no read.
 *
 * @param manifestBytes manifests, indexes and referrers pages (4 MiB, the distribution spec's
 *     recommended minimum a registry must accept)
 * @param signaturePayloadBytes a cosign simple-signing payload (64 KiB; a real one is under 1 KiB)
 * @param envelopeBytes a DSSE envelope or a sigstore bundle (4 MiB; SLSA provenance of a large
 *     build stays well under)
 * @param layerBytes any other blob, in practice a Tekton bundle layer (8 MiB: one Kubernetes
 *     resource per layer, and the API server refuses objects over 1.5 MiB; gzip only shrinks it)
 * @param maxReferrers entries followed from the referrers API or fallback index, all pages together
 * @param maxDescriptors layers of one image manifest or entries of one index (128: overlayfs stacks
 *     at most 128 lower directories, so no runnable image has more layers)
 */
public record OciLimits(
    long manifestBytes,
    long signaturePayloadBytes,
    long envelopeBytes,
    long layerBytes,
    int maxReferrers,
    int maxDescriptors) {

  public static final long KIB = 1024;
  public static final long MIB = 1024 * KIB;

  // The defaults, declared once as strings for the service's configuration (@WithDefault).
  public static final String DEFAULT_MANIFEST_BYTES = "4194304";
  public static final String DEFAULT_SIGNATURE_PAYLOAD_BYTES = "65536";
  public static final String DEFAULT_ENVELOPE_BYTES = "4194304";
  public static final String DEFAULT_LAYER_BYTES = "8388608";
  public static final String DEFAULT_MAX_REFERRERS = "64";
  public static final String DEFAULT_MAX_DESCRIPTORS = "128";

  /** Caps no configuration may exceed: each keeps one read far from the pod's memory limit. */
  public static final long MAX_BYTES_PER_READ = 64 * MIB;

  public OciLimits {
    for (long cap : new long[] {manifestBytes, signaturePayloadBytes, envelopeBytes, layerBytes}) {
      if (cap <= 0 || cap > MAX_BYTES_PER_READ) {
        throw new IllegalArgumentException(
            "size caps are between 1 byte and " + MAX_BYTES_PER_READ + " bytes: " + cap);
      }
    }
    if (maxReferrers < 1 || maxDescriptors < 1) {
      throw new IllegalArgumentException("referrer and descriptor caps are positive");
    }
  }

  /** The defaults described above. */
  public static OciLimits defaults() {
    return new OciLimits(
        Long.parseLong(DEFAULT_MANIFEST_BYTES),
        Long.parseLong(DEFAULT_SIGNATURE_PAYLOAD_BYTES),
        Long.parseLong(DEFAULT_ENVELOPE_BYTES),
        Long.parseLong(DEFAULT_LAYER_BYTES),
        Integer.parseInt(DEFAULT_MAX_REFERRERS),
        Integer.parseInt(DEFAULT_MAX_DESCRIPTORS));
  }

  /** The cap for a blob of this media type. */
  public long blobBytes(String mediaType) {
    if (MediaTypes.COSIGN_SIMPLE_SIGNING.equals(mediaType)) {
      return signaturePayloadBytes;
    }
    if (MediaTypes.DSSE_ENVELOPE.equals(mediaType)
        || MediaTypes.SIGSTORE_BUNDLE_V03.equals(mediaType)) {
      return envelopeBytes;
    }
    if (MediaTypes.MANIFESTS.contains(mediaType)) {
      return manifestBytes;
    }
    return layerBytes;
  }

  public OciLimits withManifestBytes(long cap) {
    return new OciLimits(
        cap, signaturePayloadBytes, envelopeBytes, layerBytes, maxReferrers, maxDescriptors);
  }

  public OciLimits withLayerBytes(long cap) {
    return new OciLimits(
        manifestBytes, signaturePayloadBytes, envelopeBytes, cap, maxReferrers, maxDescriptors);
  }

  public OciLimits withMaxReferrers(int cap) {
    return new OciLimits(
        manifestBytes, signaturePayloadBytes, envelopeBytes, layerBytes, cap, maxDescriptors);
  }
}
