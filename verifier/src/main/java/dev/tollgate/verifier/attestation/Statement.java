package dev.tollgate.verifier.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.oci.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An in-toto statement (v0.1 or v1): the sha256 digests of its subjects, the predicate type and the
 * predicate.
 */
public record Statement(List<String> subjectSha256, String predicateType, JsonNode predicate) {
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  public Statement {
    subjectSha256 = List.copyOf(subjectSha256);
  }

  /** Parses a DSSE payload; empty when it is not an in-toto statement. */
  public static Optional<Statement> parse(String payloadType, byte[] payload) {
    if (!PAYLOAD_TYPE.equals(payloadType)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = Json.readTree(payload);
    } catch (MalformedJsonException e) {
      return Optional.empty();
    }
    String type = root.path("_type").asText("");
    if (!type.startsWith("https://in-toto.io/Statement/")
        || !root.path("predicateType").isTextual()
        || !root.path("subject").isArray()) {
      return Optional.empty();
    }
    List<String> digests = new ArrayList<>();
    for (JsonNode s : root.path("subject")) {
      if (s.path("digest").path("sha256").isTextual()) {
        digests.add(s.path("digest").path("sha256").asText());
      }
    }
    return Optional.of(
        new Statement(digests, root.get("predicateType").asText(), root.path("predicate")));
  }

  /** Whether one of the subjects is {@code digest}. */
  public boolean isAbout(Digest digest) {
    return subjectSha256.contains(digest.hex());
  }
}
