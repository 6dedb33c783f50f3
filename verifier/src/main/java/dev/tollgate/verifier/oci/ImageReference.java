package dev.tollgate.verifier.oci;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A reference to an image or artifact: a repository and a tag, a digest, or both. When both are
 * given the digest wins: the tag is never resolved, so what is verified is what the user pinned.
 */
public record ImageReference(Repository repository, Optional<String> tag, Optional<Digest> digest) {
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  public ImageReference {
    if (repository == null || tag == null || digest == null) {
      throw new IllegalArgumentException("repository, tag and digest must not be null");
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      throw new IllegalArgumentException("a reference names a tag or a digest");
    }
    tag.ifPresent(
        t -> {
          if (!TAG.matcher(t).matches()) {
            throw new IllegalArgumentException("invalid tag: " + t);
          }
        });
  }

  /** A reference pinned by digest. */
  public static ImageReference of(Repository repository, Digest digest) {
    return new ImageReference(repository, Optional.empty(), Optional.of(digest));
  }

  /** A reference by tag, to be resolved once. */
  public static ImageReference of(Repository repository, String tag) {
    return new ImageReference(repository, Optional.of(tag), Optional.empty());
  }

  /**
   * Parses {@code host[:port]/name[:tag][@sha256:hex]}. The first path component is the registry
   * when it contains a dot or a colon or is {@code localhost}; otherwise the registry is {@code
   * docker.io}, as in docker's own parsing.
   */
  public static ImageReference parse(String reference) throws OciException {
    if (reference == null || reference.isEmpty() || reference.length() > 1024) {
      throw invalid(reference, "empty or longer than 1024 characters");
    }
    String rest = reference;
    Optional<Digest> digest = Optional.empty();
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Optional.of(Digest.parse(rest.substring(at + 1)));
      rest = rest.substring(0, at);
    }
    Optional<String> tag = Optional.empty();
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = Optional.of(rest.substring(colon + 1));
      rest = rest.substring(0, colon);
    }
    String registry = "docker.io";
    String name = rest;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        name = rest.substring(slash + 1);
      }
    }
    if ("docker.io".equals(registry) && !name.contains("/")) {
      name = "library/" + name;
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      tag = Optional.of("latest");
    }
    try {
      return new ImageReference(new Repository(registry, name), tag, digest);
    } catch (IllegalArgumentException e) {
      throw invalid(reference, e.getMessage());
    }
  }

  /** The same repository, pinned to {@code resolved}. */
  public ImageReference pinned(Digest resolved) {
    return new ImageReference(repository, tag, Optional.of(resolved));
  }

  private static OciException invalid(String reference, String why) {
    return new OciException(
        OciReason.INVALID_REFERENCE,
        "invalid image reference: " + why,
        Map.of("reference", String.valueOf(reference)));
  }

  @Override
  public String toString() {
    return repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
  }
}
