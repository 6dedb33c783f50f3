package dev.tollgate.schemas.event;

import dev.tollgate.schemas.json.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Identities derived from the thing they identify, so that a redelivery, a retry or a second
 * replica arrives at the same id rather than a new one.
 */
public final class Ids {

  private Ids() {}

  /** The trigger id of a GitHub delivery: {@code github:<X-GitHub-Delivery>}. */
  public static String githubTrigger(String deliveryId) {
    return checkedTrigger("github:" + deliveryId);
  }

  /**
   * The trigger id of a GitHub delivery to one hook: {@code github:<X-GitHub-Delivery>@<X-GitHub-
   * Hook-ID>}, or {@link #githubTrigger(String)} without a hook id. GitHub sends the same delivery
   * id to every hook subscribed to the event, so the hook is part of what identifies the trigger.
   */
  public static String githubTrigger(String deliveryId, String hookId) {
    return hookId == null
        ? githubTrigger(deliveryId)
        : checkedTrigger("github:" + deliveryId + "@" + hookId);
  }

  /** The trigger id of one tick of a schedule: {@code schedule:<name>@<scheduled instant>}. */
  public static String scheduleTrigger(String scheduleName, Instant scheduledAt) {
    return checkedTrigger("schedule:" + scheduleName + "@" + scheduledAt);
  }

  /** The trigger id of an external call: {@code external:<trigger name>@<token id>}. */
  public static String externalTrigger(String triggerName, String tokenId) {
    return checkedTrigger("external:" + triggerName + "@" + tokenId);
  }

  /**
   * The decision id for a trigger: {@code dec-} and the first 32 hex digits of SHA-256 over {@code
   * "tollgate.decision.v1" || 0x00 || triggerId}.
   */
  public static String decision(String triggerId) {
    Fields.require(triggerId, Fields.TRIGGER_ID, "triggerId");
    byte[] input = ("tollgate.decision.v1\0" + triggerId).getBytes(StandardCharsets.UTF_8);
    return "dec-" + Sha256.hex(input).substring(0, 32);
  }

  private static String checkedTrigger(String id) {
    return Fields.require(id, Fields.TRIGGER_ID, "triggerId");
  }
}
