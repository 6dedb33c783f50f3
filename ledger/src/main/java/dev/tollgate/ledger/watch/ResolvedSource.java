package dev.tollgate.ledger.watch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What Tekton says it resolved a run's pipeline or task from: {@code status.provenance.refSource}
 * of a v1 PipelineRun or TaskRun ({@code configSource} on servers that predate the rename). The
 * bundles resolver sets {@code uri} to the repository it pulled, {@code digest.sha256} to the
 * manifest digest it read and {@code entryPoint} to the resource's name in the bundle. Tekton fills
 * it only with its {@code enable-provenance-in-status} feature flag on (the default since v0.48).
 *
 * @param uri the repository or URL, or null
 * @param digest {@code sha256:} and the lowercase hex digest, or null when none of that form
 * @param entryPoint the resource's name or path in the source, or null
 */
public record ResolvedSource(String uri, String digest, String entryPoint) {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /** The source the run's status states, or empty while it states none. */
  public static Optional<ResolvedSource> of(JsonNode status) {
    JsonNode provenance = status.path("provenance");
    JsonNode source = provenance.path("refSource");
    if (!source.isObject()) {
      source = provenance.path("configSource");
    }
    if (!source.isObject()) {
      return Optional.empty();
    }
    String hex = text(source.path("digest"), "sha256");
    return Optional.of(
        new ResolvedSource(
            text(source, "uri"),
            hex != null && SHA256_HEX.matcher(hex).matches() ? "sha256:" + hex : null,
            text(source, "entryPoint")));
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }
}
