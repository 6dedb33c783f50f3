package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Pattern;

/**
 * Why something was decided or refused: a stable code for scripts, a message saying what failed on
 * what, and what to do about it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reason(String code, String message, String remediation) {
  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{1,63}");

  public Reason {
    Fields.require(code, CODE, "reason.code");
    Fields.require(message, "reason.message");
  }
}
