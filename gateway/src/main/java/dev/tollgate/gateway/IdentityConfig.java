package dev.tollgate.gateway;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Identity of senders. */
public interface IdentityConfig {
  /**
   * The comment that approves testing a pull request at its current head, when made by a sender
   * with write permission or more. Matched against each line of the comment, trimmed.
   */
  @WithDefault("/ok-to-test")
  String okToTestPhrase();

  /**
   * How much later than a bare {@code /ok-to-test} comment the pull request may have been updated
   * (by GitHub's clock) and still be taken as unchanged since the comment: writing the comment
   * itself updates the pull request, within about a second. Anything later (a push, another
   * comment) refuses the bare approval; {@code /ok-to-test <sha>} needs no such window.
   */
  @WithDefault("2s")
  Duration okToTestUpdateTolerance();

  /** How long a permission looked up through the GitHub API is reused. */
  @WithDefault("5m")
  Duration permissionTtl();

  /** How long a failed lookup is remembered, so an unavailable API is not hammered. */
  @WithDefault("30s")
  Duration negativeTtl();

  /** How long one GitHub API call may take before the identity is marked unverified. */
  @WithDefault("3s")
  Duration apiTimeout();

  /** Permissions cached. */
  @WithDefault("10000")
  long cacheSize();
}
