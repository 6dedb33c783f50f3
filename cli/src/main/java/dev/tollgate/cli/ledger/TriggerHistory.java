package dev.tollgate.cli.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * What the ledger holds about one trigger, in seq order: the trigger's record(s), the decision
 * record(s) and the run records that link it. More than one of a kind means a redelivery with other
 * content or an event written by someone else; each is shown with its authenticity.
 */
public final class TriggerHistory {
  private final String triggerId;
  private final List<Recorded> triggers = new ArrayList<>();
  private final List<Recorded> decisions = new ArrayList<>();
  private final List<Recorded> runs = new ArrayList<>();

  public TriggerHistory(String triggerId) {
    this.triggerId = triggerId;
  }

  /** Adds {@code r} by its kind; records of other kinds are not part of a trigger's history. */
  public void add(Recorded r) {
    switch (r.kind()) {
      case "trigger" -> triggers.add(r);
      case "decision" -> decisions.add(r);
      case "run" -> runs.add(r);
      default -> {
        // rejections, checkpoints and key rotations link no decided trigger
      }
    }
  }

  public String triggerId() {
    return triggerId;
  }

  public List<Recorded> triggers() {
    return List.copyOf(triggers);
  }

  public List<Recorded> decisions() {
    return List.copyOf(decisions);
  }

  public List<Recorded> runs() {
    return List.copyOf(runs);
  }

  /** Whether the ledger holds anything of the trigger. */
  public boolean isEmpty() {
    return triggers.isEmpty() && decisions.isEmpty() && runs.isEmpty();
  }
}
