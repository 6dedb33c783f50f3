package dev.tollgate.gateway.report;

import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import org.apache.kafka.common.header.Headers;

/**
 * Reads an event off a topic only if its writer is who it must be: a trigger signed under a gateway
 * key, a decision under a verifier key, a run event under a run watch key. Anything else (unsigned,
 * an unknown or wrong component's key, altered, not a CloudEvent of the expected type, not the
 * contract's JSON) is refused with a reason code and never reported.
 */
public final class AuthenticatedEvents {

  private final EventKeyRing gateways;
  private final EventKeyRing verifiers;
  private final EventKeyRing runWatches;

  /** The rings of the three writers; a ring may be empty, and then nothing of its kind reads. */
  public AuthenticatedEvents(
      EventKeyRing gateways, EventKeyRing verifiers, EventKeyRing runWatches) {
    this.gateways = gateways;
    this.verifiers = verifiers;
    this.runWatches = runWatches;
  }

  /** Whether events of this type can be read at all (a key is trusted for their writer). */
  public boolean trusts(EventType type) {
    return !ring(type).isEmpty();
  }

  /**
   * The event, if it verifies.
   *
   * @throws RefusedException naming why it does not
   */
  public <T> T read(EventType type, Class<T> record, Headers headers, byte[] value)
      throws RefusedException {
    if (value == null) {
      throw new RefusedException("UNREADABLE", "a record without a value");
    }
    CloudEventAttributes attributes;
    try {
      attributes = KafkaCloudEvents.read(headers);
    } catch (NotACloudEventException e) {
      throw new RefusedException("NOT_A_CLOUDEVENT", e.getMessage());
    }
    if (!type.ceType().equals(attributes.type())) {
      throw new RefusedException(
          "WRONG_TYPE", "a " + attributes.type() + " event where " + type.ceType() + " belongs");
    }
    EventSignatures.Verification verification = EventSignatures.verify(headers, value, ring(type));
    if (verification instanceof EventSignatures.Unsigned) {
      throw new RefusedException("UNSIGNED", "the event carries no signature");
    }
    if (verification instanceof EventSignatures.UnknownKey unknown) {
      throw new RefusedException(
          "UNKNOWN_KEY",
          "signed with key "
              + unknown.keyId()
              + ", which is not a trusted "
              + ring(type).signer()
              + " key");
    }
    if (verification instanceof EventSignatures.Invalid invalid) {
      throw new RefusedException("SIGNATURE_INVALID", invalid.why());
    }
    try {
      return Json.read(value, record);
    } catch (MalformedJsonException e) {
      throw new RefusedException("UNREADABLE", e.getMessage());
    }
  }

  private EventKeyRing ring(EventType type) {
    return switch (type) {
      case TRIGGER -> gateways;
      case DECISION -> verifiers;
      case RUN -> runWatches;
      case REJECTION, LEDGER_RECORD ->
          throw new IllegalArgumentException(type + " events are not reported");
    };
  }
}
