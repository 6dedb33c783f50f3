package dev.tollgate.ledger.testing;

import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.EventSigningKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/**
 * The fixed event-signing test keys under {@code src/test/resources/event-keys} (generated once
 * with openssl; see the README there): the gateway's, the verifier's and the run watch's, which
 * {@link #trust()} and the {@code %test} profile trust, and a forger's, which nothing trusts.
 */
public final class EventKeys {

  /** The CloudEvents source test events claim. */
  public static final URI SOURCE = URI.create("/tollgate/test");

  private static final Instant TIME = Instant.parse("2026-01-02T03:04:05Z");

  private EventKeys() {}

  /**
   * The PEM file of a test key: {@code gateway}, {@code verifier}, {@code run-watch}, {@code
   * forger}.
   */
  public static Path file(String name, boolean publicKey) {
    String resource = "/event-keys/" + name + (publicKey ? "-events.pub.pem" : "-events.pem");
    try {
      return Path.of(EventKeys.class.getResource(resource).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final java.util.Map<String, EventSigningKey> KEYS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static volatile SourceTrust trust;

  /** A test signing key by name. */
  public static EventSigningKey key(String name) {
    return KEYS.computeIfAbsent(
        name,
        n -> {
          try {
            return EventSigningKey.read(file(n, false));
          } catch (EventKeyException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** The key of the component that owns events of this kind. */
  public static EventSigningKey owner(dev.tollgate.schemas.ledger.LedgerRecord.Kind kind) {
    return switch (kind) {
      case TRIGGER, REJECTION -> gateway();
      case DECISION -> verifier();
      case RUN -> runWatch();
      case CHECKPOINT, KEY_ROTATION -> throw new IllegalArgumentException("no source event");
    };
  }

  /**
   * What the ledger records for the event signed by the component that owns it, as a genuine event
   * reaches it: verified.
   */
  public static dev.tollgate.schemas.ledger.LedgerRecord.Authentication genuine(SourceEvent event) {
    return trust().authenticate(signed(event, owner(event.kind())));
  }

  public static EventSigningKey gateway() {
    return key("gateway");
  }

  public static EventSigningKey verifier() {
    return key("verifier");
  }

  public static EventSigningKey runWatch() {
    return key("run-watch");
  }

  /** A key no configuration trusts. */
  public static EventSigningKey forger() {
    return key("forger");
  }

  /** The gateway, verifier and run watch public keys, each trusted for its own topics only. */
  public static SourceTrust trust() {
    SourceTrust cached = trust;
    if (cached == null) {
      cached = readTrust();
      trust = cached;
    }
    return cached;
  }

  private static SourceTrust readTrust() {
    try {
      return SourceTrust.of(
          EventKeyRing.read(SourceTrust.GATEWAY, List.of(file("gateway", true))),
          EventKeyRing.read(SourceTrust.VERIFIER, List.of(file("verifier", true))),
          EventKeyRing.read(SourceTrust.RUN_WATCH, List.of(file("run-watch", true))));
    } catch (EventKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CloudEvents headers of an event of the event's kind and id, unsigned. */
  public static Headers headers(SourceEvent event) {
    return KafkaCloudEvents.headers(
        CloudEventAttributes.of(
            dev.tollgate.schemas.cloudevents.EventType.valueOf(event.kind().name()),
            event.eventId(),
            SOURCE,
            null,
            TIME));
  }

  /** The event as it reaches the ledger with CloudEvents headers and no signature. */
  public static SourceEvent unsigned(SourceEvent event) {
    return withHeaders(event, headers(event));
  }

  /** The event as it reaches the ledger signed by {@code key}. */
  public static SourceEvent signed(SourceEvent event, EventSigningKey key) {
    Headers headers = headers(event);
    EventSignatures.sign(headers, event.data(), key);
    return withHeaders(event, headers);
  }

  /**
   * Signs an event whose CloudEvents headers are {@code headers} and whose value is {@code data}.
   */
  public static Headers sign(Headers headers, byte[] data, EventSigningKey key) {
    EventSignatures.sign(headers, data, key);
    return headers;
  }

  /** The event with these headers. */
  public static SourceEvent withHeaders(SourceEvent event, Headers headers) {
    return new SourceEvent(
        event.kind(), event.eventId(), event.eventType(), event.source(), event.data(), headers);
  }
}
