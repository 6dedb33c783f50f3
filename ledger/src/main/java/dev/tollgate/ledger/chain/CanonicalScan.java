package dev.tollgate.ledger.chain;

import java.util.Arrays;

/**
 * Proves, in one pass over the bytes and without building a tree, that a value is RFC 8785
 * canonical JSON of the kind the ledger stores: what {@code CanonicalJson.bytes(Json.readTree(v))}
 * would write back byte for byte. It proves only the plain case (members of each object named in
 * ASCII without escapes, in strictly increasing order; integers of magnitude at most 2^53; strings
 * of printable ASCII, well-formed UTF-8 and the escapes RFC 8785 prescribes; nesting at most
 * {@value #MAX_DEPTH} deep) and answers false for anything else, canonical or not: the caller then
 * parses and serialises the value as before, which decides. So it can never accept a value the
 * reference path refuses; it only spares the tree for the values that are plainly canonical.
 */
final class CanonicalScan {

  static final int MAX_DEPTH = 64;
  private static final long MAX_SAFE = 1L << 53;
  private static final int NOT_CANONICAL = -1;
  private static final int PLAIN_ASCII = 0;
  private static final int OTHER = 1;

  private final byte[] json;
  private final byte[] first;
  private final byte[] second;
  private final int[] spans = {-1, -1, -1, -1, -1, -1};
  private int at;

  private CanonicalScan(byte[] json, byte[] first, byte[] second) {
    this.json = json;
    this.first = first;
    this.second = second;
  }

  /** Whether {@code json} is, provably by this scan, one canonical JSON object and nothing else. */
  static boolean isPlainCanonicalObject(byte[] json) {
    return topLevelSpans(json, new byte[0], new byte[0]) != null;
  }

  /**
   * When {@code json} is, provably by this scan, one canonical JSON object and nothing else: the
   * spans of the values of its top-level members named {@code first} and {@code second} (names
   * without quotes), found in the same pass, as {value start, value end, member start} of each
   * ({@code -1} for one that is absent). Otherwise null.
   */
  static int[] topLevelSpans(byte[] json, byte[] first, byte[] second) {
    if (json.length < 2 || json[0] != '{') {
      return null;
    }
    CanonicalScan scan = new CanonicalScan(json, first, second);
    return scan.value(0) && scan.at == json.length ? scan.spans : null;
  }

  private boolean value(int depth) {
    if (at >= json.length || depth > MAX_DEPTH) {
      return false;
    }
    byte b = json[at];
    return switch (b) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string() >= 0;
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    };
  }

  private boolean object(int depth) {
    at++; // '{'
    if (at < json.length && json[at] == '}') {
      at++;
      return true;
    }
    int previousStart = -1;
    int previousEnd = -1;
    while (true) {
      int start = at + 1;
      int kind = string();
      // Only plain ASCII names without escapes compare by their bytes as by UTF-16 code units.
      if (kind != PLAIN_ASCII) {
        return false;
      }
      int end = at - 1;
      if (previousStart >= 0 && compare(previousStart, previousEnd, start, end) >= 0) {
        return false;
      }
      previousStart = start;
      previousEnd = end;
      if (at >= json.length || json[at] != ':') {
        return false;
      }
      at++;
      int valueStart = at;
      if (!value(depth)) {
        return false;
      }
      if (depth == 1) {
        note(start, end, valueStart);
      }
      if (at >= json.length) {
        return false;
      }
      if (json[at] == '}') {
        at++;
        return true;
      }
      if (json[at] != ',') {
        return false;
      }
      at++;
    }
  }

  /** Keeps the span of a top-level member named {@code first} or {@code second}. */
  private void note(int nameStart, int nameEnd, int valueStart) {
    int slot =
        Arrays.equals(json, nameStart, nameEnd, first, 0, first.length)
            ? 0
            : Arrays.equals(json, nameStart, nameEnd, second, 0, second.length) ? 3 : -1;
    if (slot >= 0) {
      spans[slot] = valueStart;
      spans[slot + 1] = at;
      spans[slot + 2] = nameStart - 1;
    }
  }

  private boolean array(int depth) {
    at++; // '['
    if (at < json.length && json[at] == ']') {
      at++;
      return true;
    }
    while (true) {
      if (!value(depth)) {
        return false;
      }
      if (at >= json.length) {
        return false;
      }
      if (json[at] == ']') {
        at++;
        return true;
      }
      if (json[at] != ',') {
        return false;
      }
      at++;
    }
  }

  private int compare(int aFrom, int aTo, int bFrom, int bTo) {
    return Arrays.compareUnsigned(json, aFrom, aTo, json, bFrom, bTo);
  }

  /**
   * Scans a string from its opening quote to past its closing one: {@link #PLAIN_ASCII} for
   * printable ASCII without escapes, {@link #OTHER} for another provably canonical string, {@link
   * #NOT_CANONICAL} otherwise.
   */
  private int string() {
    if (at >= json.length || json[at] != '"') {
      return NOT_CANONICAL;
    }
    at++;
    int kind = PLAIN_ASCII;
    while (at < json.length) {
      int b = json[at] & 0xff;
      if (b == '"') {
        at++;
        return kind;
      }
      if (b == '\\') {
        kind = OTHER;
        if (!escape()) {
          return NOT_CANONICAL;
        }
      } else if (b < 0x20) {
        return NOT_CANONICAL;
      } else if (b < 0x7f) {
        at++;
      } else {
        kind = OTHER;
        if (!utf8(b)) {
          return NOT_CANONICAL;
        }
      }
    }
    return NOT_CANONICAL;
  }

  /** The escapes RFC 8785 writes: the short ones, and lowercase {@code \\u00xx} below 0x20. */
  private boolean escape() {
    if (at + 1 >= json.length) {
      return false;
    }
    byte e = json[at + 1];
    if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
      at += 2;
      return true;
    }
    if (e != 'u' || at + 5 >= json.length || json[at + 2] != '0' || json[at + 3] != '0') {
      return false;
    }
    int high = json[at + 4];
    int low = json[at + 5];
    int lowValue =
        low >= '0' && low <= '9' ? low - '0' : low >= 'a' && low <= 'f' ? low - 'a' + 10 : -1;
    if ((high != '0' && high != '1') || lowValue < 0) {
      return false;
    }
    int c = (high - '0') * 16 + lowValue;
    if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      return false;
    }
    at += 6;
    return true;
  }

  /**
   * One well-formed, shortest UTF-8 sequence of a scalar value (no surrogates, at most U+10FFFF).
   */
  private boolean utf8(int b) {
    if (b == 0x7f) {
      at++;
      return true;
    }
    int length;
    int min;
    int code;
    if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      min = 0x80;
      code = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      min = 0x800;
      code = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      min = 0x10000;
      code = b & 0x07;
    } else {
      return false;
    }
    if (at + length > json.length) {
      return false;
    }
    for (int i = 1; i < length; i++) {
      int c = json[at + i] & 0xff;
      if ((c & 0xc0) != 0x80) {
        return false;
      }
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    at += length;
    return true;
  }

  private boolean literal(String word) {
    int length = word.length();
    if (at + length > json.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (json[at + i] != word.charAt(i)) {
        return false;
      }
    }
    at += length;
    return true;
  }

  /** An integer as ECMAScript writes it: {@code 0}, or no leading zero, of magnitude ≤ 2^53. */
  private boolean number() {
    int start = at;
    if (json[at] == '-') {
      at++;
    }
    if (at >= json.length || json[at] < '1' || json[at] > '9') {
      // "0" alone, not "-0".
      if (at < json.length && json[at] == '0' && start == at) {
        at++;
        return at >= json.length || !isNumberByte(json[at]);
      }
      return false;
    }
    long magnitude = 0;
    int digits = 0;
    while (at < json.length && json[at] >= '0' && json[at] <= '9') {
      if (++digits > 16) {
        return false;
      }
      magnitude = magnitude * 10 + (json[at] - '0');
      at++;
    }
    if (at < json.length && isNumberByte(json[at])) {
      // A fraction or an exponent: not proved here.
      return false;
    }
    return magnitude <= MAX_SAFE;
  }

  private static boolean isNumberByte(byte b) {
    return b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-' || (b >= '0' && b <= '9');
  }
}
