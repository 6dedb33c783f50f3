package dev.tollgate.schemas.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 written straight from a Jackson tree, without serializing it to text and parsing it
 * again: members sorted by the UTF-16 code units of their names (section 3.2.3), strings with only
 * the escapes section 3.2.2.2 prescribes, UTF-8 out. It covers what Tollgate's events and records
 * hold and nothing more: numbers only as integers of magnitude at most 2^53 (written as such, which
 * is how ECMAScript writes them), strings only of well-formed UTF-16. For anything else it returns
 * null and the caller takes the reference implementation. Stateless, so thread-safe.
 */
final class FastCanonicalWriter {

  private static final long MAX_SAFE = 1L << 53;
  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private byte[] out = new byte[1024];
  private int size;

  private FastCanonicalWriter() {}

  /** The canonical bytes of {@code node}, or null when it holds what this writer leaves out. */
  static byte[] write(JsonNode node) {
    FastCanonicalWriter writer = new FastCanonicalWriter();
    if (!writer.value(node)) {
      return null;
    }
    return Arrays.copyOf(writer.out, writer.size);
  }

  private boolean value(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT:
        return object(node);
      case ARRAY:
        put('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            put(',');
          }
          if (!value(node.get(i))) {
            return false;
          }
        }
        put(']');
        return true;
      case STRING:
        return string(node.textValue());
      case NUMBER:
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
          return false;
        }
        long number = node.longValue();
        if (number > MAX_SAFE || number < -MAX_SAFE) {
          return false;
        }
        ascii(Long.toString(number));
        return true;
      case BOOLEAN:
        ascii(node.booleanValue() ? "true" : "false");
        return true;
      case NULL:
        ascii("null");
        return true;
      default:
        return false;
    }
  }

  private boolean object(JsonNode node) {
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
    // String.compareTo compares UTF-16 code units: exactly RFC 8785's order.
    members.sort(Map.Entry.comparingByKey());
    put('{');
    boolean first = true;
    for (Map.Entry<String, JsonNode> member : members) {
      if (!first) {
        put(',');
      }
      first = false;
      if (!string(member.getKey())) {
        return false;
      }
      put(':');
      if (!value(member.getValue())) {
        return false;
      }
    }
    put('}');
    return true;
  }

  private boolean string(String text) {
    ensure(text.length() * 3 + 2);
    out[size++] = '"';
    if (plainAscii(text)) {
      // The common case: nothing to escape, one byte a char.
      for (int i = 0; i < text.length(); i++) {
        out[size++] = (byte) text.charAt(i);
      }
      out[size++] = '"';
      return true;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '"' -> escape('"');
          case '\\' -> escape('\\');
          case '\b' -> escape('b');
          case '\f' -> escape('f');
          case '\n' -> escape('n');
          case '\r' -> escape('r');
          case '\t' -> escape('t');
          default -> {
            if (c < 0x20) {
              ensure(6);
              out[size++] = '\\';
              out[size++] = 'u';
              out[size++] = '0';
              out[size++] = '0';
              out[size++] = HEX[c >> 4];
              out[size++] = HEX[c & 0xf];
            } else {
              out[size++] = (byte) c;
            }
          }
        }
      } else if (c < 0x800) {
        out[size++] = (byte) (0xc0 | (c >> 6));
        out[size++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 >= text.length()
            || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        int code = Character.toCodePoint(c, text.charAt(++i));
        out[size++] = (byte) (0xf0 | (code >> 18));
        out[size++] = (byte) (0x80 | ((code >> 12) & 0x3f));
        out[size++] = (byte) (0x80 | ((code >> 6) & 0x3f));
        out[size++] = (byte) (0x80 | (code & 0x3f));
      } else {
        out[size++] = (byte) (0xe0 | (c >> 12));
        out[size++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[size++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    out[size++] = '"';
    return true;
  }

  private static boolean plainAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private void escape(char c) {
    ensure(2);
    out[size++] = '\\';
    out[size++] = (byte) c;
  }

  private void put(char c) {
    ensure(1);
    out[size++] = (byte) c;
  }

  private void ascii(String text) {
    ensure(text.length());
    for (int i = 0; i < text.length(); i++) {
      out[size++] = (byte) text.charAt(i);
    }
  }

  private void ensure(int more) {
    if (size + more > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
    }
  }
}
