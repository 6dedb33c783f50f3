package dev.tollgate.cli.replay;

import dev.tollgate.cli.decision.Conclusion;
import dev.tollgate.cli.decision.Freshness;
import dev.tollgate.cli.ledger.Recorded;
import dev.tollgate.cli.ledger.SealedPayloads;
import dev.tollgate.cli.ledger.TriggerHistory;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.decide.Decider;
import dev.tollgate.verifier.decide.PolicySnapshot;
import dev.tollgate.verifier.decide.Ruling;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.TriggerPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides recorded triggers again under other policies, one at a time in ledger order, and says how
 * each ruling compares with the recorded decision. Approvals ({@code /ok-to-test}) are kept in
 * memory, fed by every authenticated trigger the ledger recorded (also those before the window), so
 * a fork pull request is judged against the approvals it was judged against then.
 */
final class Replay {

  /** How a replayed trigger compares with what was recorded. */
  enum Change {
    /** Same outcome, policy and reason codes. */
    UNCHANGED,
    /** Another outcome, policy or reason codes (or no decision was recorded). */
    CHANGED,
    /** The new policies need what the ledger does not hold (a bundle verification): not decided. */
    UNDETERMINED
  }

  /**
   * One replayed trigger.
   *
   * @param recorded the recorded decision, when one verified as the verifier's
   * @param replayed the new ruling, unless undetermined
   * @param notes what the comparison rests on (a reused verification, a decision that did not
   *     verify, why a trigger is undetermined)
   */
  record Result(
      String triggerId,
      long seq,
      String trigger,
      Optional<Conclusion> recorded,
      Optional<Conclusion> replayed,
      Change change,
      List<String> notes) {
    Result {
      notes = List.copyOf(notes);
    }

    String transition() {
      return recorded.map(Conclusion::outcome).orElse("none")
          + " -> "
          + replayed.map(Conclusion::outcome).orElse("undetermined");
    }
  }

  private final PolicySnapshot policies;
  private final SealedPayloads sealed;
  private final Approvals approvals = new Approvals();
  private long sealedBefore;

  Replay(List<TriggerPolicy> policies, SealedPayloads sealed) {
    this.policies = PolicySnapshot.of(policies);
    this.sealed = sealed;
  }

  /**
   * A trigger recorded before the window: only the approval it may carry is kept. One whose payload
   * is sealed and cannot be put back carries none (counted in {@link #sealedBefore()}).
   */
  void before(Recorded trigger) {
    if (!trigger.authenticated()) {
      return;
    }
    if (sealed.open(trigger) instanceof SealedPayloads.Whole whole) {
      whole.record().payloadAs(TriggerEvent.class).value().ifPresent(approvals::record);
    } else {
      sealedBefore++;
    }
  }

  /** Authenticated triggers before the window whose payload stayed sealed, so fed no approval. */
  long sealedBefore() {
    return sealedBefore;
  }

  /**
   * The ruling the new policies make on the history's first trigger record. A trigger whose payload
   * is sealed and cannot be put back is undetermined: it is never decided on its commitments.
   */
  Result replay(TriggerHistory history) {
    Recorded record = history.triggers().get(0);
    java.util.ArrayList<String> notes = new java.util.ArrayList<>();
    SealedPayloads.Opened opened = sealed.open(record);
    if (opened instanceof SealedPayloads.Whole whole) {
      record = whole.record();
      if (!whole.restored().isEmpty()) {
        notes.add(
            "sealed "
                + String.join(", ", whole.restored())
                + " put back from the sealed store (each matches its commitment)");
      }
    }
    Optional<DecisionEvent> decision = Optional.empty();
    for (Recorded d : history.decisions()) {
      Optional<DecisionEvent> bound = d.payloadAs(DecisionEvent.class).value();
      if (d.authenticated() && bound.isPresent()) {
        decision = bound;
        break;
      }
      notes.add(
          "the decision recorded at seq "
              + d.seq()
              + " is not taken as the verifier's: event signature "
              + d.authenticity());
    }
    Optional<Conclusion> recorded = decision.map(Conclusion::of);
    Optional<TriggerEvent> trigger = record.payloadAs(TriggerEvent.class).value();
    String what = trigger.map(Replay::what).orElse("(unreadable trigger)");
    if (opened instanceof SealedPayloads.Withheld withheld) {
      notes.add(withheld.why());
      return new Result(
          history.triggerId(),
          record.seq(),
          what,
          recorded,
          Optional.empty(),
          Change.UNDETERMINED,
          notes);
    }

    Optional<Ruling.Refuse> refused =
        Decider.authenticate(signature(record), "ledger seq " + record.seq(), history.triggerId());
    Ruling ruling;
    RecordedVerification verification =
        new RecordedVerification(decision.map(DecisionEvent::verification));
    if (refused.isPresent()) {
      ruling = refused.get();
    } else if (trigger.isEmpty()) {
      notes.add(
          "the recorded trigger does not read: " + record.payloadAs(TriggerEvent.class).why());
      return new Result(
          history.triggerId(),
          record.seq(),
          what,
          recorded,
          Optional.empty(),
          Change.UNDETERMINED,
          notes);
    } else {
      Instant now = decision.map(DecisionEvent::decidedAt).orElse(record.time());
      try {
        ruling =
            Decider.decide(
                trigger.get(), now, Freshness.VERIFIER_DEFAULTS, policies, approvals, verification);
      } catch (RecordedVerification.NotRecordedException e) {
        notes.add(e.getMessage() + "; no registry was contacted");
        return new Result(
            history.triggerId(),
            record.seq(),
            what,
            recorded,
            Optional.empty(),
            Change.UNDETERMINED,
            notes);
      }
    }
    if (verification.reused()) {
      notes.add(
          "bundle verification reused from the recorded decision (same bundle, trust configuration"
              + " and pipeline), as made at "
              + decision.get().verification().verifiedAt());
    }
    Conclusion replayed = Conclusion.of(ruling);
    Change change =
        recorded.isPresent() && recorded.get().sameAs(replayed) ? Change.UNCHANGED : Change.CHANGED;
    return new Result(
        history.triggerId(), record.seq(), what, recorded, Optional.of(replayed), change, notes);
  }

  /**
   * The trigger's event signature as the ledger found it, for the decider's own authentication
   * rule: a trigger the ledger did not find signed by the gateway is refused as the verifier
   * refuses it.
   */
  private static EventSignatures.Verification signature(Recorded record) {
    var a = record.record().path("authentication");
    String keyId = a.path("keyId").asText(null);
    return switch (a.path("result").asText("")) {
      case "verified" -> new EventSignatures.Verified(keyId);
      case "unknown-key" -> new EventSignatures.UnknownKey(keyId);
      case "invalid" -> new EventSignatures.Invalid(keyId, a.path("why").asText("invalid"));
      // unsigned, or recorded before the ledger checked signatures: nothing shows the gateway
      // wrote it
      default -> new EventSignatures.Unsigned();
    };
  }

  private static String what(TriggerEvent t) {
    return t.event()
        + (t.repository() == null ? "" : " " + t.repository())
        + (t.ref() == null ? "" : " " + t.ref());
  }
}
