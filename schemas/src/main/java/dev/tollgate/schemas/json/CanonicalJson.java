package dev.tollgate.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * RFC 8785 (JSON Canonicalization Scheme) for everything Tollgate hashes or signs. Trees of
 * strings, integers of at most 2^53 in magnitude, booleans and nulls (every event and ledger
 * record) are written directly from the tree ({@link FastCanonicalWriter}: sorted keys, minimal
 * escapes, UTF-8); any other tree (a fraction, a larger integer, a lone surrogate) goes through the
 * reference Java implementation by one of the RFC's authors rather than our own number formatting.
 * Both give the same bytes where both apply (CanonicalJsonTest compares them).
 */
public final class CanonicalJson {

  private CanonicalJson() {}

  /** The canonical UTF-8 bytes of a JSON tree: an object, an array or a bare value. */
  public static byte[] bytes(JsonNode node) {
    byte[] fast = FastCanonicalWriter.write(node);
    if (fast != null) {
      return fast;
    }
    return reference(node);
  }

  /** The canonical bytes as the reference implementation writes them: for comparison in tests. */
  static byte[] reference(JsonNode node) {
    if (node.isContainerNode()) {
      return canonicalize(write(node));
    }
    // The canonicalizer takes only objects and arrays at the top level. RFC 8785 writes an array
    // element exactly as it writes the value alone, so a bare value is its one-element array's
    // form without the brackets.
    byte[] wrapped = canonicalize(write(Json.mapper().createArrayNode().add(node)));
    return Arrays.copyOfRange(wrapped, 1, wrapped.length - 1);
  }

  private static String write(JsonNode node) {
    try {
      return Json.mapper().writeValueAsString(node);
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
