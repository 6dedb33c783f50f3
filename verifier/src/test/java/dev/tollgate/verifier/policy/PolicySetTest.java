package dev.tollgate.verifier.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.reason.DecisionReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which policy a trigger selects: by repository, ref, schedule name, caller, or none. */
class PolicySetTest {
  private static final String PEM =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWHbSaJZxP4wJ+5wHb0ZlOBmUMKy+\n"
          + "dfhkKDhkxlT/yUWzBdX5hM40rs5cBsx0h3D8x8kO+iqeTl3rYqZ5XlM2Nw==\n"
          + "-----END PUBLIC KEY-----\n";
  private static final Instant AT = Instant.parse("2030-01-01T02:00:00Z");

  @TempDir Path dir;

  private PolicySet set(Map<String, String> matches) throws Exception {
    Files.createDirectories(dir.resolve("trust"));
    Files.writeString(dir.resolve("trust/k.pub"), PEM);
    Files.writeString(
        dir.resolve("trust/trust.yaml"),
        "bundleSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n"
            + "attestationSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n");
    for (Map.Entry<String, String> e : matches.entrySet()) {
      Files.writeString(
          dir.resolve(e.getKey() + ".yaml"),
          "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: "
              + e.getKey()
              + "}\nspec:\n  match: "
              + e.getValue()
              + "\n  run: {bundle: r.example/p:v1, pipeline: p, namespace: team-a}\n"
              + "  trust: {policyFile: trust/trust.yaml}\n");
    }
    PolicySet set = new PolicySet(Optional.of(dir), Duration.ofSeconds(1));
    set.reload();
    assertThat(set.errors()).isEmpty();
    return set;
  }

  private static TriggerEvent push(String repo, String ref) {
    return new TriggerEvent(
        Ids.githubTrigger("d-" + repo.hashCode() + ref.hashCode()),
        TriggerEvent.Source.GITHUB,
        AT,
        "push",
        null,
        repo,
        ref,
        null,
        null,
        null,
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery("d-" + repo.hashCode() + ref.hashCode(), null, null),
        Sha256.digest(new byte[0]),
        0,
        null,
        false);
  }

  private static TriggerEvent tick(String schedule) {
    return new TriggerEvent(
        Ids.scheduleTrigger(schedule, AT),
        TriggerEvent.Source.SCHEDULE,
        AT,
        "schedule",
        null,
        "acme/app",
        "refs/heads/main",
        null,
        null,
        null,
        null,
        null,
        Sha256.digest(new byte[0]),
        0,
        null,
        false,
        null,
        null,
        null,
        new TriggerEvent.Schedule(schedule, AT),
        null,
        Map.of("channel", "stable"));
  }

  @Test
  void select_branchGlob_matchesOnlyThatBranch() throws Exception {
    PolicySet set = set(Map.of("rel", "{repositories: ['acme/*'], branches: ['release/**']}"));

    assertThat(set.select(push("acme/app", "refs/heads/release/1.2")).policy()).isPresent();
    assertThat(set.select(push("acme/app", "refs/heads/main")).none())
        .hasValueSatisfying(
            r -> assertThat(r.code()).isEqualTo(DecisionReason.NO_MATCHING_POLICY.code()));
    assertThat(set.select(push("other/app", "refs/heads/release/1.2")).policy()).isEmpty();
  }

  @Test
  void select_tagPattern_matchesTagsNotBranches() throws Exception {
    PolicySet set = set(Map.of("tags", "{repositories: ['acme/app'], tags: ['v*']}"));

    assertThat(set.select(push("acme/app", "refs/tags/v1.0.0")).policy()).isPresent();
    assertThat(set.select(push("acme/app", "refs/heads/v1")).policy()).isEmpty();
  }

  @Test
  void select_scheduleByName_matchesOnlyNamedSchedule() throws Exception {
    PolicySet set = set(Map.of("nightly", "{schedules: [nightly-release]}"));

    assertThat(set.select(tick("nightly-release")).policy()).isPresent();
    assertThat(set.select(tick("weekly")).policy()).isEmpty();
    assertThat(set.select(push("acme/app", "refs/heads/main")).policy()).isEmpty();
  }

  @Test
  void select_twoPoliciesMatch_ambiguousAndNeitherSelected() throws Exception {
    PolicySet set =
        set(Map.of("a", "{repositories: ['acme/*']}", "b", "{repositories: ['acme/app']}"));

    PolicySet.Selection s = set.select(push("acme/app", "refs/heads/main"));

    assertThat(s.policy()).isEmpty();
    assertThat(s.none())
        .hasValueSatisfying(
            r -> assertThat(r.code()).isEqualTo(DecisionReason.POLICY_AMBIGUOUS.code()));
  }

  @Test
  void select_celConditionFalse_noMatch() throws Exception {
    PolicySet set =
        set(
            Map.of(
                "cel",
                "{repositories: ['acme/app'], condition: \"trigger.sender.login == 'release-bot'\"}"));

    assertThat(set.select(push("acme/app", "refs/heads/main")).policy()).isEmpty();
  }

  @Test
  void bind_paramsFromScheduleTrigger_bound() throws Exception {
    PolicySet set = set(Map.of("nightly", "{schedules: [nightly-release]}"));
    PolicySet.Selection s = set.select(tick("nightly-release"));

    ParamBinding.Bound b =
        ParamBinding.bind(
            Map.of("channel", "$(params.channel)", "at", "$(trigger.schedule.name)-x"),
            s.trigger());

    assertThat(b.unbound()).isEmpty();
    assertThat(b.values())
        .containsEntry("channel", "stable")
        .containsEntry("at", "nightly-release-x");
  }
}
