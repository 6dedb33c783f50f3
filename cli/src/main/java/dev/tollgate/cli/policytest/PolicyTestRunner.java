package dev.tollgate.cli.policytest;

import dev.tollgate.cli.decision.Conclusion;
import dev.tollgate.cli.decision.Freshness;
import dev.tollgate.verifier.decide.Decider;
import dev.tollgate.verifier.decide.PolicySnapshot;
import dev.tollgate.verifier.decide.Ruling;
import dev.tollgate.verifier.policy.ApprovalJournal;
import dev.tollgate.verifier.policy.Approvals;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides each test's trigger with the verifier's decider under the manifest's policies and
 * compares the ruling with what the test expects. The trigger is taken as the gateway wrote it: its
 * event signature is not part of a policy test (the verifier checks it before any policy is read).
 */
public final class PolicyTestRunner {

  /** How a test ended. */
  public enum Status {
    /** The decision is the expected one. */
    PASS,
    /** The decision differs from the expected one. */
    FAIL,
    /** The test could not be decided as declared (it needs a verification it does not declare). */
    ERROR
  }

  /**
   * What one test found.
   *
   * @param actual the decision, unless the test is an error
   * @param problems the differences (FAIL) or why it could not be decided (ERROR)
   * @param verificationAsked whether the decider asked for the bundle's verification
   */
  public record Result(
      TestManifest.Case test,
      Status status,
      Optional<Conclusion> actual,
      List<String> problems,
      boolean verificationAsked) {
    public Result {
      problems = List.copyOf(problems);
    }
  }

  private PolicyTestRunner() {}

  /** Every test of {@code manifest}, in order. */
  public static List<Result> run(TestManifest manifest) throws ManifestException {
    List<Result> results = new ArrayList<>();
    PolicySnapshot policies = PolicySnapshot.of(manifest.policies());
    for (TestManifest.Case test : manifest.tests()) {
      results.add(run(test, policies));
    }
    return results;
  }

  private static Result run(TestManifest.Case test, PolicySnapshot policies)
      throws ManifestException {
    DeclaredVerification verification =
        test.verification().isPresent()
            ? DeclaredVerification.of(test.verification().get(), test.name() + ".verification")
            : DeclaredVerification.none();
    ApprovalJournal journal = ApprovalJournal.inMemory();
    test.approvals().forEach(journal::write);
    Ruling ruling;
    try {
      ruling =
          Decider.decide(
              test.trigger(),
              test.now(),
              Freshness.VERIFIER_DEFAULTS,
              policies,
              new Approvals(journal),
              verification);
    } catch (DeclaredVerification.NotDeclaredException e) {
      return new Result(test, Status.ERROR, Optional.empty(), List.of(e.getMessage()), true);
    }
    Conclusion actual = Conclusion.of(ruling);
    List<String> differences = test.expect().differences(actual);
    return new Result(
        test,
        differences.isEmpty() ? Status.PASS : Status.FAIL,
        Optional.of(actual),
        differences,
        verification.asked());
  }
}
