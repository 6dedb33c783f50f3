package dev.tollgate.verifier.signature;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An exact or regular-expression match on a certificate identity or issuer. A regex must match the
 * whole value, as if anchored: {@code https://github.com/acme/} does not match {@code
 * https://evil.example/?https://github.com/acme/}, which an unanchored search would.
 */
public final class StringMatch {
  private final String expression;
  private final Pattern pattern;

  private StringMatch(String expression, Pattern pattern) {
    this.expression = expression;
    this.pattern = pattern;
  }

  public static StringMatch exact(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("an exact match is not empty");
    }
    return new StringMatch(value, null);
  }

  /** A regex matched against the whole value (as {@link java.util.regex.Matcher#matches()}). */
  public static StringMatch regex(String regex) {
    try {
      return new StringMatch(regex, Pattern.compile(regex));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex: " + e.getDescription(), e);
    }
  }

  public boolean matches(String value) {
    if (value == null) {
      return false;
    }
    return pattern == null ? expression.equals(value) : pattern.matcher(value).matches();
  }

  @Override
  public String toString() {
    return pattern == null ? "'" + expression + "'" : "/" + expression + "/";
  }
}
