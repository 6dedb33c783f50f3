package dev.tollgate.verifier.messaging;

import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.authenticity.EventKeys;
import dev.tollgate.verifier.decide.Decider;
import dev.tollgate.verifier.decide.Decision;
import dev.tollgate.verifier.decide.DecisionEvents;
import dev.tollgate.verifier.decide.Ruling;
import dev.tollgate.verifier.handling.TriggerHandler;
import dev.tollgate.verifier.reason.DecisionReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * Turns each trigger on {@code tollgate.triggers.v1} into exactly one decision on {@code
 * tollgate.decisions.v1}. The trigger's offset is committed only after the decision was
 * acknowledged: the outgoing message carries the incoming one's acknowledgement. Whatever goes
 * wrong with one trigger becomes that trigger's {@code error} decision: no record can stop the
 * channel or make the verifier crash-loop on it.
 *
 * <p>Before anything of a record is read, its signature is checked on the exact value bytes and
 * headers as received, under the trusted gateway keys: a record the gateway did not write (produced
 * straight onto the topic, or a genuine one altered) is decided {@code error}
 * TRIGGER_SIGNATURE_INVALID and counted in {@value #UNAUTHENTICATED}. Its decision is published so
 * the ledger records the attempt, under an id of its own ({@code
 * external:unauthenticated@<topic-partition@offset>}): a forged record claiming a genuine trigger's
 * id cannot take that trigger's decision id.
 */
@ApplicationScoped
public class TriggerConsumer {

  static final URI SOURCE = URI.create("/tollgate/verifier");
  private static final Logger LOG = Logger.getLogger(TriggerConsumer.class);

  private final TriggerHandler handler;
  private final EventKeyRing gateways;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Map<DecisionEvent.Outcome, Counter> decisions =
      new EnumMap<>(DecisionEvent.Outcome.class);
  private final Map<String, Counter> unauthenticated = new LinkedHashMap<>();

  /** One latency timer per outcome, registered when that outcome is first decided. */
  private final ConcurrentMap<DecisionEvent.Outcome, Timer> latencies = new ConcurrentHashMap<>();

  private final TriggerLocks inFlight = new TriggerLocks();

  @Inject
  public TriggerConsumer(TriggerHandler handler, EventKeys keys, MeterRegistry meters) {
    this(handler, keys.gateways(), Clock.systemUTC(), meters);
  }

  TriggerConsumer(
      TriggerHandler handler, EventKeyRing gateways, Clock clock, MeterRegistry meters) {
    this.handler = handler;
    this.gateways = gateways;
    this.clock = clock;
    this.meters = meters;
    for (String why : new String[] {"unsigned", "unknown-key", "invalid"}) {
      unauthenticated.put(
          why,
          Counter.builder(UNAUTHENTICATED)
              .description(
                  "Trigger records refused because the gateway did not write them, by why:"
                      + " unsigned, unknown-key (signed by a key not trusted), invalid (altered)")
              .tag("why", why)
              .register(meters));
    }
    // Every outcome from the start, so rates and alerts see a zero rather than no series.
    for (DecisionEvent.Outcome o : DecisionEvent.Outcome.values()) {
      decisions.put(
          o,
          Counter.builder(DECISIONS)
              .description("Decisions written, by outcome (admitted, denied, ignored, error)")
              .tag("outcome", o.wire())
              .register(meters));
    }
  }

  /** {@code tollgate_verifier_decisions_total{outcome}} in Prometheus, as the alerts use it. */
  public static final String DECISIONS = "tollgate.verifier.decisions";

  /**
   * {@code tollgate_verifier_triggers_unauthenticated_total{why}}: trigger records whose signature
   * did not verify under a trusted gateway key ({@code why}: unsigned, unknown-key, invalid).
   */
  public static final String UNAUTHENTICATED = "tollgate.verifier.triggers.unauthenticated";

  /** {@code tollgate_verifier_decision_seconds{outcome}}: from trigger read to decision made. */
  public static final String DECISION_LATENCY = "tollgate.verifier.decision";

  /**
   * The worker pool triggers are decided on; its size is {@code
   * smallrye.messaging.worker.trigger-workers.max-concurrency}: how many triggers one replica has
   * in flight at once.
   */
  public static final String WORKERS = "trigger-workers";

  /**
   * Verifying a bundle and creating a run block on the registry and the API server: on a worker
   * thread of {@value #WORKERS}, several triggers at once and in no particular order, so a registry
   * that does not answer for one repository holds only that trigger's worker, not the partition.
   * Order is kept only where it matters: one trigger id is handled by one thread at a time ({@link
   * TriggerLocks}), and its PipelineRun's name is derived from it (a second create finds the
   * first). The offset of a trigger is committed (strategy {@code throttled}) only once every
   * earlier offset of its partition has its decision acknowledged, so a crash redelivers every
   * trigger whose decision was not written, and none is skipped.
   */
  @Incoming("triggers")
  @Outgoing("decisions")
  @Blocking(value = WORKERS, ordered = false)
  public Message<DecisionEvent> onTrigger(Message<byte[]> in) {
    long started = System.nanoTime();
    DecisionEvent decision = guarded(in);
    decisions.get(decision.outcome()).increment();
    latencies
        .computeIfAbsent(decision.outcome(), this::latency)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    LOG.infof(
        "decision %s for trigger %s: %s %s",
        decision.decisionId(),
        decision.triggerId(),
        decision.outcome().wire(),
        decision.reasons().isEmpty() ? "" : decision.reasons().get(0).code());
    CloudEventAttributes attributes =
        CloudEventAttributes.of(
            EventType.DECISION,
            decision.decisionId(),
            SOURCE,
            decision.triggerId(),
            decision.decidedAt());
    return in.withPayload(decision)
        .addMetadata(
            OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(decision.triggerId())
                .withHeaders(KafkaCloudEvents.headers(attributes))
                .build());
  }

  private Timer latency(DecisionEvent.Outcome outcome) {
    return Timer.builder(DECISION_LATENCY)
        .description("Time to decide one trigger: policy, sender, verification, namespace, run")
        .tag("outcome", outcome.wire())
        .publishPercentileHistogram()
        .register(meters);
  }

  private DecisionEvent decide(Message<byte[]> in, Attempt attempt) {
    @SuppressWarnings("rawtypes") // the connector's metadata type is generic in key and value
    Optional<IncomingKafkaRecordMetadata> kafka = kafka(in);
    Headers headers = kafka.isPresent() ? kafka.get().getHeaders() : new RecordHeaders();
    EventSignatures.Verification signature =
        EventSignatures.verify(headers, in.getPayload(), gateways);
    String where = where(in);
    String claimed = claimedTriggerId(headers);
    Optional<Ruling.Refuse> forged = Decider.authenticate(signature, where, claimed);
    if (forged.isPresent()) {
      String why = why(signature);
      unauthenticated.get(why).increment();
      // Where and why only: nothing the record says is trusted enough to log.
      LOG.warnf(
          "trigger record at %s refused: not written by the gateway (%s%s)",
          where, why, signerOf(signature));
      return toEvent(unauthenticatedId(where), null, forged.get().decision());
    }
    attempt.genuine = true;
    String ceId = null;
    try {
      CloudEventAttributes attributes = KafkaCloudEvents.read(headers);
      ceId = attributes.id();
      if (!EventType.TRIGGER.ceType().equals(attributes.type())) {
        throw new NotACloudEventException("ce_type is '" + attributes.type() + "', not a trigger");
      }
      TriggerEvent trigger = Json.read(in.getPayload(), TriggerEvent.class);
      if (!trigger.triggerId().equals(ceId)) {
        throw new MalformedJsonException("triggerId does not equal ce_id");
      }
      Decision decision;
      try {
        decision = inFlight.exclusively(trigger.triggerId(), () -> handler.handle(trigger));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        decision = Decider.interrupted().decision();
      }
      return toEvent(trigger.triggerId(), trigger.repository(), decision);
    } catch (NotACloudEventException | MalformedJsonException e) {
      String triggerId = usableTriggerId(ceId, where);
      return toEvent(
          triggerId,
          null,
          new Decision.Failed(
              DecisionReason.UNREADABLE_TRIGGER.reason(
                  "The trigger at " + where + " could not be read: " + e.getMessage())));
    }
  }

  /**
   * The top-level guard of one trigger: a fault anywhere in reading, deciding or acting on it (a
   * bug, an unexpected answer a library turned into an unchecked exception, a StackOverflowError on
   * a pathological document) fails closed as this trigger's {@code error} decision instead of
   * stopping the channel ({@code failure-strategy=fail}) and replaying the same record forever. A
   * VirtualMachineError other than a StackOverflowError (out of memory, an internal JVM error)
   * leaves the JVM in no state to go on and is rethrown; a stack overflow has unwound by the time
   * it is caught here.
   */
  @SuppressWarnings("checkstyle:IllegalCatch") // the one per-message guard of the trigger channel
  private DecisionEvent guarded(Message<byte[]> in) {
    Attempt attempt = new Attempt();
    try {
      return decide(in, attempt);
    } catch (Throwable fault) { // the one per-message guard (see above): nothing else catches all
      if (fault instanceof VirtualMachineError fatal && !(fault instanceof StackOverflowError)) {
        throw fatal;
      }
      String where = where(in);
      String triggerId =
          attempt.genuine ? usableTriggerId(ceIdOrNull(in), where) : unauthenticatedId(where);
      // The class only: a fault's message may quote what it was handling.
      LOG.errorf(
          "trigger %s at %s: deciding failed (%s); decided error",
          triggerId, where, fault.getClass().getName());
      LOG.debug("the fault", fault);
      return toEvent(
          triggerId,
          null,
          new Decision.Failed(
              DecisionReason.INTERNAL_ERROR.reason(
                  "The verifier failed while deciding the trigger at "
                      + where
                      + " ("
                      + fault.getClass().getName()
                      + "); nothing ran")));
    }
  }

  /** What deciding one record got to: whether the gateway's signature verified. */
  private static final class Attempt {
    boolean genuine;
  }

  /** The record's ce_id, or null when it has none that can be read. */
  private static String ceIdOrNull(Message<byte[]> in) {
    try {
      return KafkaCloudEvents.read(kafka(in).orElseThrow().getHeaders()).id();
    } catch (NotACloudEventException | java.util.NoSuchElementException e) {
      return null;
    }
  }

  /** Where the record was read: {@code topic-partition@offset}, or {@code ?}. */
  private static String where(Message<byte[]> in) {
    return kafka(in)
        .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset())
        .orElse("?");
  }

  @SuppressWarnings("rawtypes") // the connector's metadata type is generic in key and value
  private static Optional<IncomingKafkaRecordMetadata> kafka(Message<byte[]> in) {
    return in.getMetadata(IncomingKafkaRecordMetadata.class);
  }

  /** The counter's {@code why} of a signature that did not verify. */
  private static String why(EventSignatures.Verification signature) {
    if (signature instanceof EventSignatures.UnknownKey) {
      return "unknown-key";
    }
    return signature instanceof EventSignatures.Unsigned ? "unsigned" : "invalid";
  }

  /** {@code ", key <id>"} when the record names a well-formed key id, for the log. */
  private static String signerOf(EventSignatures.Verification signature) {
    String keyId = null;
    if (signature instanceof EventSignatures.UnknownKey unknown) {
      keyId = unknown.keyId();
    } else if (signature instanceof EventSignatures.Invalid invalid) {
      keyId = invalid.keyId();
    }
    return keyId == null ? "" : ", key " + keyId;
  }

  /** The record's one ce_id when it is a well-formed trigger id (to quote), else null. */
  private static String claimedTriggerId(Headers headers) {
    Iterator<Header> ids = headers.headers(KafkaCloudEvents.ID).iterator();
    if (!ids.hasNext()) {
      return null;
    }
    Header id = ids.next();
    if (ids.hasNext() || id.value() == null) {
      return null;
    }
    String value = new String(id.value(), StandardCharsets.UTF_8);
    try {
      Ids.decision(value);
      return value;
    } catch (IllegalArgumentException notATriggerId) {
      return null;
    }
  }

  /**
   * The trigger id of the decision on a record the gateway did not write: named by the record's
   * position, so consuming it again gives the same decision, and never the id it claims.
   */
  private static String unauthenticatedId(String where) {
    return "external:unauthenticated@" + where.replaceAll("[^A-Za-z0-9._:@+-]", "_");
  }

  /** The ce_id when it is a valid trigger id, else an id naming where the record was read. */
  private static String usableTriggerId(String ceId, String where) {
    if (ceId != null) {
      try {
        Ids.decision(ceId);
        return ceId;
      } catch (IllegalArgumentException notATriggerId) {
        // fall through: name the position instead
      }
    }
    return "external:unreadable@" + where.replaceAll("[^A-Za-z0-9._:@+-]", "_");
  }

  private DecisionEvent toEvent(String triggerId, String repository, Decision decision) {
    return DecisionEvents.of(
        Ids.decision(triggerId), triggerId, repository, decision, Instant.now(clock));
  }
}
