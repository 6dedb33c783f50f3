package dev.tollgate.gateway.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.identity.SenderIdentities;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything that decides what becomes of a GitHub delivery, apart from HTTP and Kafka: the
 * signature over the raw bytes, the headers, redelivery detection, ignored events, the payload and
 * who sent it. {@link GitHubWebhookRoute} answers what this decides.
 *
 * <p>Nothing is trusted before the signature is verified. Only then are the unsigned headers read,
 * then the delivery looked up among recent deliveries by its trigger id (delivery id and hook id):
 * the same delivery with the same bytes is a duplicate (answered 200, nothing emitted), with other
 * bytes a forgery (400).
 */
@Singleton
public class DeliveryGate {

  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

  private final SignatureVerifier signatures;
  private final TriggerNormalizer normalizer;
  private final RecentDeliveries recent;
  private final SenderIdentities identities;
  private final Set<String> ignoredEvents;

  @Inject
  public DeliveryGate(
      SignatureVerifier signatures,
      TriggerNormalizer normalizer,
      RecentDeliveries recent,
      SenderIdentities identities,
      GatewayConfig config) {
    this(signatures, normalizer, recent, identities, config.ignoredEvents());
  }

  /** With explicit parts, for tests. */
  public DeliveryGate(
      SignatureVerifier signatures,
      TriggerNormalizer normalizer,
      RecentDeliveries recent,
      SenderIdentities identities,
      Set<String> ignoredEvents) {
    this.signatures = signatures;
    this.normalizer = normalizer;
    this.recent = recent;
    this.identities = identities;
    this.ignoredEvents = Set.copyOf(ignoredEvents);
  }

  /** What to do with an authenticated delivery. */
  public sealed interface Outcome permits Emit, Duplicate, Ignored {}

  /**
   * Emit this trigger, then answer 202.
   *
   * @param payloadDigest the digest to remember the delivery by once Kafka acknowledged it
   */
  public record Emit(TriggerEvent trigger, String payloadDigest) implements Outcome {}

  /** Answer 200: this delivery was accepted before with the same bytes. */
  public record Duplicate(String triggerId, String deliveryId) implements Outcome {}

  /** Answer 200: an event no policy can use, or one whose body's shape is not known. */
  public record Ignored(String event, String deliveryId) implements Outcome {}

  /**
   * Whether {@link #admit} may block: when the GitHub API is configured, a sender's permission may
   * have to be looked up. Otherwise it only computes.
   */
  public boolean mayBlock() {
    return identities.mayCallApi();
  }

  /**
   * Decides on one delivery.
   *
   * @throws WebhookRejectedException when it is refused, with the reason
   */
  public Outcome admit(DeliveryHeaders.Source headers, byte[] rawBody, Instant receivedAt)
      throws WebhookRejectedException {
    signatures.verify(
        DeliveryHeaders.single(
            headers, SignatureVerifier.HEADER, RejectionCode.SIGNATURE_MALFORMED),
        rawBody,
        DeliveryHeaders.claimedHookId(headers));
    DeliveryHeaders delivery = DeliveryHeaders.from(headers);
    String digest = Sha256.digest(rawBody);
    String triggerId = Ids.githubTrigger(delivery.deliveryId(), delivery.hookId());
    switch (recent.check(triggerId, digest)) {
      case SAME:
        return new Duplicate(triggerId, delivery.deliveryId());
      case DIFFERENT:
        throw new WebhookRejectedException(
                RejectionCode.DELIVERY_ID_REUSED,
                "The delivery "
                    + delivery.deliveryId()
                    + (delivery.hookId() == null ? "" : " to hook " + delivery.hookId())
                    + " was accepted before with a different body. GitHub redelivers the same"
                    + " bytes; a changed body under a known delivery id is refused.")
            .withRepository(repositoryOf(delivery, rawBody));
      case LOADING:
        throw new WebhookRejectedException(
            RejectionCode.DELIVERIES_LOADING,
            "The gateway is still reading the deliveries every replica accepted and cannot yet"
                + " tell a redelivery from a new delivery. Retry after the Retry-After.");
      case NEW:
        break;
    }
    // An event whose body's shape the gateway does not know is not emitted: it cannot tell a body
    // GitHub sent for it from a signed body of another event re-sent under its name.
    if (ignoredEvents.contains(delivery.event()) || EventShape.of(delivery.event()).isEmpty()) {
      return new Ignored(delivery.event(), delivery.deliveryId());
    }
    TriggerNormalizer.Normalized normalized =
        normalizer.read(delivery, rawBody, digest, receivedAt);
    return new Emit(identities.identify(normalized.trigger(), normalized.payload()), digest);
  }

  /** The repository a signed body names, when it can be read; only for rejection events. */
  private static String repositoryOf(DeliveryHeaders delivery, byte[] rawBody) {
    try {
      byte[] json = delivery.formEncoded() ? TriggerNormalizer.formPayload(rawBody) : rawBody;
      JsonNode name = Json.readTree(json).at("/repository/full_name");
      return name.isTextual() && REPOSITORY.matcher(name.textValue()).matches()
          ? name.textValue()
          : null;
    } catch (MalformedJsonException | WebhookRejectedException unreadable) {
      return null;
    }
  }
}
