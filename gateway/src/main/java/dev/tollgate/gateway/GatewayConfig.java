package dev.tollgate.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's settings ({@code tollgate.gateway.*}, or {@code TOLLGATE_GATEWAY_*} in the
 * environment), with their safe defaults declared here and nowhere else. Secrets are not among
 * them: the webhook secrets are read once, at startup, into {@code WebhookSecrets}, and the GitHub
 * credentials into {@code GitHubCredentials}, so that no configuration dump can print them.
 */
@ConfigMapping(prefix = "tollgate.gateway")
public interface GatewayConfig {

  /**
   * Largest body, in bytes, whose parsed JSON is embedded in the trigger; keep it well under the
   * producer's max.request.size.
   */
  @WithDefault("65536")
  int maxEmbeddedPayload();

  /**
   * How long a delivery waits for Kafka to acknowledge its trigger before it is answered 503; stay
   * well under GitHub's 10 s.
   */
  @WithDefault("5s")
  Duration kafkaAckTimeout();

  /** The Retry-After a 503 carries. */
  @WithDefault("30s")
  Duration retryAfter();

  /**
   * GitHub events no policy can use: acknowledged with 200 and counted, never emitted. A delivery
   * of one is still authenticated first.
   */
  @WithDefault(
      "star,watch,fork,gollum,label,milestone,public,sponsorship,marketplace_purchase,meta,"
          + "page_build,project,project_card,project_column,projects_v2,projects_v2_item,team,"
          + "team_add,member,membership,organization,org_block,discussion,discussion_comment")
  Set<String> ignoredEvents();

  /** Duplicate detection of redelivered GitHub deliveries. */
  DeliveriesConfig deliveries();

  /** Bounds on the request bodies held before they are authenticated. */
  IntakeConfig intake();

  /** Rejection events on tollgate.rejections.v1. */
  RejectionsConfig rejections();

  /** Who sent a delivery. */
  IdentityConfig identity();

  /** Built-in schedules, by name (the name goes into the trigger id). */
  Map<String, ScheduleConfig> schedules();

  /** OIDC issuers whose tokens may call {@code POST /triggers/{name}}, by a short name. */
  Oidc oidc();

  /** External triggers callable at {@code POST /triggers/{name}}, by name. */
  Map<String, ExternalTriggerConfig> triggers();

  /** The job that asks GitHub to redeliver what failed while the gateway was down. */
  Redelivery redelivery();

  /** Which replica runs the schedules and the redelivery job. */
  Leader leader();

  /** What the schedules do about ticks no replica was up to fire. */
  Scheduler scheduler();

  /** Decisions reported on the commit (check runs with a GitHub App, statuses with a token). */
  Checks checks();

  /**
   * Leadership among replicas: the member of {@code group} assigned partition 0 of {@code topic}
   * leads, and the topic holds the last tick each schedule accounted for.
   */
  interface Leader {
    /** The single-partition compacted topic (deploy/topics). */
    @WithDefault("tollgate.schedules.v1")
    String topic();

    /**
     * The consumer group every replica joins, named after the gateway's Kafka user, which alone may
     * use it (deploy/users, kafka-acls.sh).
     */
    @WithDefault("tollgate-gateway-leader")
    String group();

    /**
     * How long a leader that stopped answering keeps leadership before another replica takes it; a
     * leader that shuts down hands over at once. Within the broker's group session bounds.
     */
    @WithDefault("15s")
    Duration sessionTimeout();
  }

  /** Ticks missed while no replica led. */
  interface Scheduler {
    /**
     * A schedule's latest missed tick younger than this is fired once when a leader comes back (the
     * catch-up); older missed ticks, and all but the latest, are recorded as missed and not fired.
     */
    @WithDefault("24h")
    Duration catchUpWindow();
  }

  /** One built-in schedule. */
  interface ScheduleConfig {
    /** Quartz-style cron expression with seconds, e.g. {@code 0 0 2 * * ?}. */
    String cron();

    /** Time zone the cron expression is read in. */
    @WithDefault("UTC")
    String timeZone();

    /** owner/name the scheduled run is for. */
    Optional<String> repository();

    /** The ref to run. */
    Optional<String> ref();

    /** Parameters passed on in the trigger. */
    Map<String, String> parameters();
  }

  /** OIDC issuers. */
  interface Oidc {
    /** The audience every token must be issued for. */
    Optional<String> audience();

    /** Clock skew allowed on exp, nbf and iat. */
    @WithDefault("30s")
    Duration clockSkew();

    /** Longest lifetime a token may have left; longer ones are refused. */
    @WithDefault("24h")
    Duration maxTokenLifetime();

    /** Allowed issuers by short name. */
    Map<String, IssuerConfig> issuers();
  }

  /** One allowed issuer. */
  interface IssuerConfig {
    /** The issuer URL, exactly as in the tokens' iss claim. */
    String url();

    /** The JWKS URL; by default discovered from {@code <url>/.well-known/openid-configuration}. */
    Optional<String> jwksUri();
  }

  /** One external trigger. */
  interface ExternalTriggerConfig {
    /** The short name of the issuer (under tollgate.gateway.oidc.issuers) its callers use. */
    String issuer();

    /** The token subjects (sub claim) allowed to call it. */
    List<String> subjects();

    /** owner/name the run is for. */
    Optional<String> repository();

    /** The ref to run. */
    Optional<String> ref();

    /** Parameters passed on in the trigger. */
    Map<String, String> parameters();
  }

  /** The redelivery job. */
  interface Redelivery {
    /**
     * Unset (the default): on wherever the credentials can list the hook's deliveries (the GitHub
     * App's, or a token with admin:repo_hook and a repository webhook configured below), off
     * otherwise, said in a log line and the gauge tollgate.gateway.redelivery.enabled. {@code
     * true}: on, and the gateway refuses to start without such credentials. {@code false}: off.
     */
    Optional<Boolean> enabled();

    /**
     * Where the hook's deliveries are listed: {@code owner/repo} for a repository webhook, or
     * absent for the GitHub App's webhook ({@code /app/hook/deliveries}).
     */
    Optional<String> repository();

    /** The repository webhook's id (X-GitHub-Hook-ID). */
    Optional<Long> hookId();

    /** How often the job runs. */
    @WithDefault("5m")
    Duration every();

    /** How far back failed deliveries are redelivered; GitHub keeps 3 days. */
    @WithDefault("72h")
    Duration lookback();

    /**
     * Pages of 100 deliveries read per run at most; a pass down to the lookback that needs more is
     * resumed by the next run from GitHub's cursor.
     */
    @WithDefault("50")
    int maxPages();

    /**
     * Redeliveries requested per run at most. With the defaults (40 every 5 minutes, a second
     * apart) at most 480 an hour: under GitHub's secondary limit of 500 content-creating requests
     * an hour.
     */
    @WithDefault("40")
    int maxRedeliveries();

    /** Wait between two redelivery requests: GitHub asks for a second between mutating requests. */
    @WithDefault("1s")
    Duration pace();

    /**
     * Share of the credentials' hourly API budget (x-ratelimit-limit) the job may spend; the rest
     * is left to sender identities and check runs, which use the same credentials.
     */
    @WithDefault("0.5")
    double budgetShare();

    /** Times one delivery is asked to be redelivered at most, across runs. */
    @WithDefault("3")
    int maxAttemptsPerDelivery();

    /** Wait before retrying a request GitHub answered 429 or 5xx; doubles each retry. */
    @WithDefault("1s")
    Duration backoff();
  }

  /** Reporting on the commit. */
  interface Checks {
    /** Whether to report; by default exactly when a GitHub App or token is configured. */
    Optional<Boolean> enabled();

    /**
     * The check run's name (the commit status's context): the name a branch protection rule or
     * merge queue requires.
     */
    @WithDefault("tollgate")
    String name();

    /** The consumer group of the replicas that report; one replica reports each event. */
    @WithDefault("tollgate-gateway-checks")
    String consumerGroup();

    /** The verifier's decisions. */
    @WithDefault("tollgate.decisions.v1")
    String decisionsTopic();

    /** The run watch's run events. */
    @WithDefault("tollgate.runs.v1")
    String runsTopic();

    /**
     * The ledger's topic (one partition), read from the last {@code remember} (at most {@code
     * remembered} records back) for the seq of decisions' records; only with ledger keys trusted
     * ({@code tollgate.trust.ledger-keys}).
     */
    @WithDefault("tollgate.ledger.v1")
    String ledgerTopic();

    /**
     * How far back each replica reads triggers at start, to know the commit of decisions and runs
     * to come; runs longer than this get no report of their end from a replica started meanwhile.
     */
    @WithDefault("6h")
    Duration remember();

    /** Triggers whose commit is remembered. */
    @WithDefault("100000")
    long remembered();

    /**
     * Attempts per report, the first included; with the default backoffs, 12 span about 23 minutes
     * of GitHub answering 5xx.
     */
    @WithDefault("12")
    int maxAttempts();

    /** Wait after a failed attempt; doubles per attempt up to max-backoff. */
    @WithDefault("2s")
    Duration backoff();

    /** Longest wait between attempts, unless GitHub asks for longer (rate limits). */
    @WithDefault("5m")
    Duration maxBackoff();

    /** Reports waiting at once; beyond it new ones are dropped and counted. */
    @WithDefault("10000")
    int maxPending();

    /** How long one GitHub API call may take. */
    @WithDefault("10s")
    Duration apiTimeout();

    /** Threads reporting in parallel (one trigger's reports stay on one). */
    @WithDefault("4")
    int threads();
  }
}
