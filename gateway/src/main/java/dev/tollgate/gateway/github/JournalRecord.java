package dev.tollgate.gateway.github;

import dev.tollgate.gateway.emit.EventSigner;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record of the delivery journal ({@link DeliveryJournal}): keyed by trigger id, its value the
 * body's digest ({@code sha256:<hex>}, ASCII), its headers the CloudEvents attributes of a gateway
 * event of type {@value #TYPE} (id = the trigger id, time = when the delivery was accepted) and the
 * gateway's signature over them and the value (EventSignatures, the same form and key as triggers).
 *
 * <p>{@link #read} is the check every record read from the topic passes before it counts: signed by
 * a trusted gateway key, of the journal's type (so a trigger or rejection record copied onto this
 * topic is not one), and about the trigger its key names (so a genuine record copied under another
 * key is not either). Anything else is {@link Unauthenticated} or {@link Unreadable} and ignored,
 * so no one with mere access to the broker can make a genuine delivery be refused as a reused
 * delivery id. The time that bounds how long a record is remembered is the signed one, not the
 * record's timestamp, which its producer chooses.
 */
public final class JournalRecord {

  /** The CloudEvents type of journal records; nothing else the gateway signs has it. */
  public static final String TYPE = "dev.tollgate.gateway.delivery.v1";

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private JournalRecord() {}

  /** A delivery accepted under {@code triggerId} with the body of {@code payloadDigest}. */
  public record Accepted(String triggerId, String payloadDigest, Instant acceptedAt) {
    public Accepted {
      if (triggerId == null || triggerId.isEmpty()) {
        throw new IllegalArgumentException("a journal record names its trigger");
      }
      if (payloadDigest == null || !DIGEST.matcher(payloadDigest).matches()) {
        throw new IllegalArgumentException("a journal record's value is a sha256: digest");
      }
      if (acceptedAt == null) {
        throw new IllegalArgumentException("a journal record says when it was accepted");
      }
    }
  }

  /** The record to write for {@code accepted}, signed with the gateway's key. */
  public static ProducerRecord<String, byte[]> signed(
      String topic, Accepted accepted, EventSigner signer) {
    Headers headers =
        KafkaCloudEvents.headers(
            new CloudEventAttributes(
                accepted.triggerId(),
                TYPE,
                TriggerEmitter.SOURCE,
                null,
                accepted.acceptedAt(),
                null));
    byte[] value = accepted.payloadDigest().getBytes(StandardCharsets.US_ASCII);
    signer.sign(headers, value);
    return new ProducerRecord<>(topic, null, accepted.triggerId(), value, headers);
  }

  /** What reading one record found. */
  public sealed interface Read permits Genuine, Unauthenticated, Unreadable {}

  /** Written by a trusted gateway: it counts. */
  public record Genuine(Accepted accepted, String keyId) implements Read {}

  /** Not shown to come from a trusted gateway for this key: ignored, counted by reason. */
  public record Unauthenticated(Reason reason, String why) implements Read {}

  /** Signed by a trusted gateway, but not in a shape this gateway reads: ignored, counted. */
  public record Unreadable(String why) implements Read {}

  /** Why a record did not authenticate; the metric label is {@link #label()}. */
  public enum Reason {
    /** No signature at all: produced by something other than a gateway. */
    UNSIGNED("unsigned"),
    /** Signed by a key that tollgate.trust.gateway-keys does not list. */
    UNKNOWN_KEY("unknown_key"),
    /** The signature does not verify: altered or forged. */
    INVALID("invalid"),
    /** A genuine gateway event, but not this journal record: another type, or another key. */
    MISPLACED("misplaced");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    /** The value of the metric's reason label. */
    public String label() {
      return label;
    }
  }

  /** Checks one record read from the journal topic against the trusted gateway keys. */
  public static Read read(String key, Headers headers, byte[] value, EventKeyRing trusted) {
    Headers safe = headers == null ? new RecordHeaders() : headers;
    byte[] data = value == null ? new byte[0] : value;
    EventSignatures.Verification verification = EventSignatures.verify(safe, data, trusted);
    if (verification instanceof EventSignatures.UnknownKey unknown) {
      return new Unauthenticated(
          Reason.UNKNOWN_KEY, "signed by key " + unknown.keyId() + ", which is not trusted");
    }
    if (verification instanceof EventSignatures.Invalid invalid) {
      return new Unauthenticated(Reason.INVALID, invalid.why());
    }
    if (!(verification instanceof EventSignatures.Verified verified)) {
      return new Unauthenticated(Reason.UNSIGNED, "the record is not signed");
    }
    CloudEventAttributes attributes;
    try {
      attributes = KafkaCloudEvents.read(safe);
    } catch (NotACloudEventException e) {
      return new Unreadable(e.getMessage());
    }
    if (!TYPE.equals(attributes.type())) {
      return new Unauthenticated(
          Reason.MISPLACED, "a gateway event of type " + attributes.type() + ", not " + TYPE);
    }
    if (!attributes.id().equals(key)) {
      return new Unauthenticated(
          Reason.MISPLACED, "signed for trigger " + attributes.id() + " but keyed otherwise");
    }
    if (attributes.time() == null) {
      return new Unreadable("the record says not when it was accepted");
    }
    String digest = new String(data, StandardCharsets.US_ASCII);
    if (!DIGEST.matcher(digest).matches()) {
      return new Unreadable("the value is not a sha256: digest");
    }
    return new Genuine(new Accepted(key, digest, attributes.time()), verified.keyId());
  }
}
