package dev.tollgate.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * RFC 8785 (JSON Canonicalization Scheme) for everything Tollgate hashes or signs. Uses the
 * reference Java implementation by one of the RFC's authors rather than our own number formatting.
 */
public final class CanonicalJson {

  private CanonicalJson() {}

  /** The canonical UTF-8 bytes of a JSON tree. */
  public static byte[] bytes(JsonNode node) {
    try {
      return canonicalize(Json.mapper().writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JsonNode always serializes", e);
    }
  }

  /** The canonical UTF-8 bytes of a contract value. */
  public static byte[] bytes(Object value) {
    return bytes(Json.toTree(value));
  }

  /** The canonical UTF-8 bytes of a JSON text. */
  public static byte[] bytes(byte[] json) throws MalformedJsonException {
    return bytes(Json.readTree(json));
  }

  private static byte[] canonicalize(String json) {
    try {
      return new JsonCanonicalizer(json).getEncodedUTF8();
    } catch (IOException e) {
      // Jackson just wrote this text; the canonicalizer rejecting it is a bug, not bad input.
      throw new UncheckedIOException("canonicalizer rejected Jackson output", e);
    }
  }
}
