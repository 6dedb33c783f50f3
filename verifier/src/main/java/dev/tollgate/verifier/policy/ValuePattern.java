package dev.tollgate.verifier.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * What a bound parameter's whole value must match, written in RE2 syntax (as Go, Kyverno and Tekton
 * write regular expressions) and matched by RE2/J, whose time is linear in the value's length: a
 * pattern cannot backtrack, so no value a fork author writes can make matching it slow. The match
 * is anchored: the whole value, never a part of it.
 *
 * @param source the pattern as the policy writes it
 */
public record ValuePattern(String source, Pattern compiled) {

  /** The longest pattern a policy may write. */
  public static final int MAX_LENGTH = 1024;

  public ValuePattern {
    if (source == null || compiled == null) {
      throw new IllegalArgumentException("a value pattern has a source and its compiled form");
    }
  }

  /**
   * The pattern {@code source} compiles to.
   *
   * @throws IllegalArgumentException saying why when it is empty, too long or not RE2 syntax
   */
  public static ValuePattern of(String source) {
    if (source == null || source.isEmpty()) {
      throw new IllegalArgumentException("the pattern is empty");
    }
    if (source.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "the pattern has " + source.length() + " characters, more than " + MAX_LENGTH);
    }
    try {
      return new ValuePattern(source, Pattern.compile(source));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "'" + source + "' is not an RE2 regular expression: " + e.getDescription(), e);
    }
  }

  /** Whether the whole of {@code value} matches. */
  public boolean matches(String value) {
    return compiled.matches(value);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValuePattern p && p.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return source;
  }
}
