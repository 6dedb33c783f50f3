package dev.tollgate.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;

/**
 * The one {@link ObjectMapper} factory. Every module reads and writes events through this mapper so
 * that timestamps, null handling and number handling are the same everywhere.
 */
public final class Json {

  private static final ObjectMapper MAPPER = create();

  private Json() {}

  /** The shared, fully configured mapper. Thread-safe; do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  @SuppressForbidden("the single ObjectMapper factory")
  private static ObjectMapper create() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  /** Parses bytes that must be one JSON value. */
  public static JsonNode readTree(byte[] bytes) throws MalformedJsonException {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new MalformedJsonException("empty document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new MalformedJsonException(e.getOriginalMessage());
    } catch (IOException e) {
      // Reading a byte array does no I/O: this is a decoding failure (e.g. bytes Jackson detects
      // as UTF-32 that are not), so it is bad input like any other.
      throw new MalformedJsonException("undecodable JSON text: " + e.getMessage());
    }
  }

  /** Binds bytes to a contract type. */
  public static <T> T read(byte[] bytes, Class<T> type) throws MalformedJsonException {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw new MalformedJsonException(type.getSimpleName() + ": " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      // Compact constructors reject invalid values with IllegalArgumentException.
      throw new MalformedJsonException(type.getSimpleName() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new MalformedJsonException(
          type.getSimpleName() + ": undecodable JSON text: " + e.getMessage());
    }
  }

  /**
   * A node that is written as exactly these bytes: a JSON object received from elsewhere and passed
   * on unchanged, without building and writing its tree again (for a 4 KB webhook payload that is a
   * tenth of the gateway's work). Reading what was written gives the same tree as {@link #readTree}.
   *
   * <p>The bytes must be one JSON object that {@link #readTree} accepted: the caller vouches for
   * that. This only refuses what would make it vouch for the wrong bytes: anything not starting
   * with {@code {} in UTF-8, since readTree also accepts a byte order mark, UTF-16 and UTF-32.
   *
   * @throws IllegalArgumentException when the bytes do not start as a UTF-8 JSON object
   */
  public static JsonNode verbatimObject(byte[] json) {
    if (!isUtf8Object(json)) {
      throw new IllegalArgumentException("not a JSON object in UTF-8 without a byte order mark");
    }
    return MAPPER.getNodeFactory().rawValueNode(new RawValue(new VerbatimJson(json)));
  }

  /**
   * Whether bytes that {@link #readTree} accepts as an object were read as UTF-8: they start with
   * {@code {} and none of the first four bytes is NUL (how Jackson detects UTF-16 and UTF-32).
   */
  public static boolean isUtf8Object(byte[] json) {
    if (json.length < 2 || json[0] != '{') {
      return false;
    }
    for (int i = 1; i < Math.min(4, json.length); i++) {
      if (json[i] == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes a value that always serializes (a contract record, a tree) as JSON bytes.
   *
   * @throws IllegalStateException when it does not, which is a bug
   */
  public static byte[] writeBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "a " + value.getClass().getSimpleName() + " did not serialize", e);
    }
  }

  /** Converts a contract value to a tree. */
  public static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }
}
