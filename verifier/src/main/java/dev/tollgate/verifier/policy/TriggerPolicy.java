package dev.tollgate.verifier.policy;

import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.engine.VerificationPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code tollgate.dev/v1alpha1} TriggerPolicy: which triggers it matches, what their senders
 * must be, what runs, under which trust configuration, in which mode.
 *
 * @param version identifies this exact policy: a hash of the file and of the trust configuration
 */
public record TriggerPolicy(
    String name,
    String version,
    Path file,
    Mode mode,
    Match match,
    SenderRules sender,
    RunTemplate run,
    VerificationPolicy trust) {

  public TriggerPolicy {
    if (name == null || version == null || file == null || mode == null) {
      throw new IllegalArgumentException("a policy has a name, version, file and mode");
    }
    if (match == null || sender == null || run == null || trust == null) {
      throw new IllegalArgumentException("a policy has match, sender, run and trust");
    }
  }

  /** Enforce denies on any violation; audit admits and records every violation. */
  public enum Mode {
    ENFORCE,
    AUDIT
  }

  /** Which triggers a policy applies to. Every given criterion must hold. */
  public record Match(
      List<Glob> repositories,
      List<String> events,
      List<String> actions,
      List<Glob> branches,
      List<Glob> tags,
      List<String> schedules,
      List<CallerMatch> callers,
      Optional<TriggerCondition> condition) {
    public Match {
      repositories = List.copyOf(repositories);
      events = List.copyOf(events);
      actions = List.copyOf(actions);
      branches = List.copyOf(branches);
      tags = List.copyOf(tags);
      schedules = List.copyOf(schedules);
      callers = List.copyOf(callers);
    }
  }

  /** An external trigger by its configured name and the OIDC subject of the caller. */
  public record CallerMatch(String name, Glob subject) {}

  /**
   * What the sender of a GitHub trigger must be.
   *
   * @param minPermission the least repository permission
   * @param requireVerified whether the permission must have been looked up
   * @param forkPullRequests whether fork pull requests run with an ok-to-test for their head SHA
   */
  public record SenderRules(
      TriggerEvent.Permission minPermission, boolean requireVerified, ForkRule forkPullRequests) {
    public SenderRules {
      if (minPermission == null || forkPullRequests == null) {
        throw new IllegalArgumentException("sender rules are complete");
      }
    }

    /** Write permission, verified, forks only with an ok-to-test for the same head SHA. */
    public static SenderRules strict() {
      return new SenderRules(TriggerEvent.Permission.WRITE, true, ForkRule.OK_TO_TEST);
    }
  }

  /** Fork pull requests. */
  public enum ForkRule {
    /** Never. */
    DENY,
    /** Only with an {@code /ok-to-test} bound to the head SHA. */
    OK_TO_TEST
  }

  /**
   * What runs when the policy admits.
   *
   * @param params each parameter's template, bound from the trigger ({@link ParamBinding})
   * @param paramPatterns what the bound value of a parameter must match, for those that have one
   * @param pullSecret the registry pull Secret its runs pull images with, by the name an
   *     administrator designated a source for ({@code tollgate.verifier.tenants.pull-secrets})
   */
  public record RunTemplate(
      String bundle,
      String pipeline,
      String namespace,
      Map<String, String> params,
      Map<String, ValuePattern> paramPatterns,
      List<Workspace> workspaces,
      Optional<Duration> timeout,
      Optional<String> pullSecret) {
    public RunTemplate {
      Objects.requireNonNull(pullSecret, "pullSecret");
      params = Map.copyOf(params);
      paramPatterns = Map.copyOf(paramPatterns);
      workspaces = List.copyOf(workspaces);
      if (!params.keySet().containsAll(paramPatterns.keySet())) {
        throw new IllegalArgumentException("a pattern belongs to a parameter of the template");
      }
    }

    /** A template whose parameters have no patterns. */
    public RunTemplate(
        String bundle,
        String pipeline,
        String namespace,
        Map<String, String> params,
        List<Workspace> workspaces,
        Optional<Duration> timeout) {
      this(bundle, pipeline, namespace, params, Map.of(), workspaces, timeout, Optional.empty());
    }
  }

  /** A pipeline workspace and what backs it. */
  public record Workspace(String name, WorkspaceKind kind) {}

  /** What backs a workspace. */
  public enum WorkspaceKind {
    /** The tenant's workspace PersistentVolumeClaim. */
    TENANT_CLAIM,
    /** An emptyDir, gone with the pod. */
    EMPTY_DIR
  }
}
