package dev.tollgate.verifier.policy;

import java.util.regex.Pattern;

/**
 * A shell-style pattern: {@code *} matches within one path segment (no {@code /}), {@code **}
 * across segments, {@code ?} one character; everything else literally.
 */
record Glob(String pattern, Pattern regex) {

  static Glob of(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("a pattern is not empty");
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new Glob(pattern, Pattern.compile(re.toString()));
  }

  boolean matches(String value) {
    return value != null && regex.matcher(value).matches();
  }
}
