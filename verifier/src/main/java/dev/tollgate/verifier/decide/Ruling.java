package dev.tollgate.verifier.decide;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.policy.TriggerPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@link Decider} concludes for one trigger: admit it (and what exactly to run), or a
 * decision that runs nothing. Only an {@link Admit} reaches the run launcher, which turns it into
 * the {@link Decision.Admitted} with the PipelineRun it created, or into an {@code error}.
 */
public sealed interface Ruling {

  /** The outcome as it would go on the wire. */
  DecisionEvent.Outcome outcome();

  /** The reasons a person reads. */
  List<Reason> reasons();

  /** The policy that decided, if one applied. */
  Optional<DecisionEvent.PolicyRef> policy();

  /** What the ruling rests on besides its reasons. */
  Decision.Evidence evidence();

  /**
   * Run {@code policy}'s pipeline from {@code pinnedBundle} (by digest: the digest that was
   * verified) with {@code params}; {@code notes} record the verification and, in audit mode, every
   * violation admitted anyway.
   */
  record Admit(
      DecisionEvent.PolicyRef ref,
      TriggerPolicy runUnder,
      String pinnedBundle,
      Map<String, String> params,
      List<Reason> notes,
      Decision.Evidence evidence)
      implements Ruling {
    public Admit {
      if (ref == null || runUnder == null || params == null || evidence == null) {
        throw new IllegalArgumentException("an admission names its policy, params and evidence");
      }
      if (pinnedBundle == null || !pinnedBundle.contains("@")) {
        throw new IllegalArgumentException("an admission runs a bundle pinned by digest");
      }
      params = Map.copyOf(params);
      notes = List.copyOf(notes);
      if (!evidence.violations().isEmpty()
          && evidence.mode().orElse(TriggerPolicy.Mode.ENFORCE) != TriggerPolicy.Mode.AUDIT) {
        throw new IllegalArgumentException("only audit mode admits a trigger with violations");
      }
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.ADMITTED;
    }

    @Override
    public List<Reason> reasons() {
      return notes;
    }

    @Override
    public Optional<DecisionEvent.PolicyRef> policy() {
      return Optional.of(ref);
    }
  }

  /** Nothing runs: denied, ignored or error, as {@code decision} says. */
  record Refuse(Decision.NotAdmitted decision) implements Ruling {
    public Refuse {
      if (decision == null) {
        throw new IllegalArgumentException("a refusal carries its decision");
      }
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return decision.outcome();
    }

    @Override
    public List<Reason> reasons() {
      return decision.reasons();
    }

    @Override
    public Optional<DecisionEvent.PolicyRef> policy() {
      return decision.policy();
    }

    @Override
    public Decision.Evidence evidence() {
      return decision.evidence();
    }
  }
}
