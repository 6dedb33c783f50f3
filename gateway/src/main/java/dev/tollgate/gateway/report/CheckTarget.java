package dev.tollgate.gateway.report;

import dev.tollgate.schemas.event.TriggerEvent;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The commit a trigger's check is reported on: the repository, the head commit, and the GitHub App
 * installation that delivered it (absent for a repository webhook).
 */
public record CheckTarget(String repository, String headSha, Long installationId) {
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  public CheckTarget {
    if (repository == null || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("repository must be owner/name");
    }
    if (headSha == null || !SHA.matcher(headSha).matches()) {
      throw new IllegalArgumentException("headSha must be a lowercase hex commit id");
    }
  }

  /**
   * Where a trigger's check goes: GitHub triggers that name a repository and a head commit (push,
   * pull_request, merge_group); nothing for the others (a comment, a schedule, a deleted branch).
   */
  public static Optional<CheckTarget> of(TriggerEvent trigger) {
    if (trigger.source() != TriggerEvent.Source.GITHUB
        || trigger.repository() == null
        || trigger.headSha() == null
        || trigger.headSha().chars().allMatch(c -> c == '0')) {
      return Optional.empty();
    }
    return Optional.of(
        new CheckTarget(
            trigger.repository(),
            trigger.headSha(),
            trigger.github() == null ? null : trigger.github().installationId()));
  }
}
