package dev.tollgate.gateway.identity;

import java.time.Instant;

/**
 * A pull request's head as the GitHub API reports it now.
 *
 * @param sha the head commit
 * @param headRepository owner/name of the head repository, or null when it was deleted
 * @param baseRepository owner/name of the base repository
 * @param updatedAt when GitHub last changed the pull request (a push to its head among others), by
 *     GitHub's clock; null when the API did not say
 */
public record PullRequestHead(
    String sha, String headRepository, String baseRepository, Instant updatedAt) {

  /** True when the head is not in the base repository, or its repository was deleted. */
  public boolean fromFork() {
    return headRepository == null || !headRepository.equalsIgnoreCase(baseRepository);
  }
}
