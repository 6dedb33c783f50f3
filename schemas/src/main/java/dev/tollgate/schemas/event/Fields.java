package dev.tollgate.schemas.event;

import java.util.regex.Pattern;

/** Validation shared by the compact constructors of this package's records. */
final class Fields {

  static final Pattern TRIGGER_ID =
      Pattern.compile("(github|schedule|external):[A-Za-z0-9._:@+-]{1,200}");
  static final Pattern DECISION_ID = Pattern.compile("dec-[0-9a-f]{32}");
  static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

  private Fields() {}

  static String require(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  static <T> T require(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  static String require(String value, Pattern pattern, String field) {
    require(value, field);
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " must match " + pattern.pattern());
    }
    return value;
  }

  static String optional(String value, Pattern pattern, String field) {
    return value == null ? null : require(value, pattern, field);
  }
}
