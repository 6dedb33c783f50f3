package dev.tollgate.gateway;

import io.quarkus.runtime.configuration.MemorySize;
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
  Deliveries deliveries();

  /** Bounds on the request bodies held before they are authenticated. */
  Intake intake();

  /** Rejection events on tollgate.rejections.v1. */
  Rejections rejections();

  /** Who sent a delivery. */
  Identity identity();

  /** Built-in schedules, by name (the name goes into the trigger id). */
  Map<String, ScheduleConfig> schedules();

  /** OIDC issuers whose tokens may call {@code POST /triggers/{name}}, by a short name. */
  Oidc oidc();

  /** External triggers callable at {@code POST /triggers/{name}}, by name. */
  Map<String, ExternalTriggerConfig> triggers();

  /** The job that asks GitHub to redeliver what failed while the gateway was down. */
  Redelivery redelivery();

  /** Duplicate detection, shared by the replicas through a compacted topic. */
  interface Deliveries {
    /**
     * The compacted topic of accepted deliveries (trigger id to body digest) that every replica
     * writes and reads whole.
     */
    @WithDefault("tollgate.deliveries.v1")
    String topic();

    /**
     * How long startup waits for that topic to be read; past it the gateway starts, not ready, and
     * answers deliveries 503 (DELIVERIES_LOADING) until it is read.
     */
    @WithDefault("15s")
    Duration loadWait();

    /** How many delivery ids are remembered. */
    @WithDefault("100000")
    long remembered();

    /**
     * How long a delivery id is remembered; GitHub lets a delivery be redelivered for 3 days, so a
     * redelivery after this reaches Kafka again and is deduplicated downstream by its trigger id.
     */
    @WithDefault("24h")
    Duration rememberFor();
  }

  /**
   * Bounds on request bodies, which must be read whole before their signature can be checked.
   * Beyond a bound a delivery is answered 503 with Retry-After (code BODY_BUDGET_EXHAUSTED) and the
   * rest of its body is read and discarded, so that the client still gets its answer.
   */
  interface Intake {
    /**
     * Most bytes of request bodies held in memory at once, across all requests; keep it well under
     * the heap (a signed body is also parsed, which takes a few times its size).
     */
    @WithDefault("64M")
    MemorySize maxBuffered();

    /** A body over this size is large; GitHub's typical deliveries are 2-30 KB. */
    @WithDefault("1M")
    MemorySize largeBody();

    /**
     * Large bodies being read or handled at once. Keep this times {@code
     * quarkus.http.limits.max-body-size} under max-buffered, so that large bodies always leave room
     * for small ones.
     */
    @WithDefault("2")
    int maxLargeBodies();

    /**
     * How long reading one body may take before the request is answered 408 and its connection
     * closed: a body trickled in holds its share of the budget. GitHub gives a delivery 10 s.
     */
    @WithDefault("10s")
    Duration bodyReadTimeout();
  }

  /** Rejection events. */
  interface Rejections {
    /**
     * Rejections of one reason from one address are aggregated over this window: the first is
     * emitted at once, the rest as one event with their count when the window closes.
     */
    @WithDefault("60s")
    Duration window();

    /**
     * Distinct (reason, address) pairs tracked per window; beyond it, addresses are aggregated as
     * "*", so a flood from many addresses cannot amplify into Kafka either.
     */
    @WithDefault("1000")
    int maxKeys();

    /**
     * Rejection events held while Kafka does not take them, sent again when each window closes;
     * beyond this many they are dropped, counted, and reported by one REJECTIONS_DROPPED event once
     * Kafka takes events again.
     */
    @WithDefault("10000")
    int maxHeld();
  }

  /** Identity of senders. */
  interface Identity {
    /**
     * The comment that approves testing a pull request at its current head, when made by a sender
     * with write permission or more. Matched against each line of the comment, trimmed.
     */
    @WithDefault("/ok-to-test")
    String okToTestPhrase();

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
    /** Off unless configured: it needs a GitHub token with admin:repo_hook (or a GitHub App). */
    @WithDefault("false")
    boolean enabled();

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

    /** Pages of 100 deliveries read per run at most. */
    @WithDefault("10")
    int maxPages();

    /** Redeliveries requested per run at most. */
    @WithDefault("50")
    int maxRedeliveries();

    /** Times one delivery is asked to be redelivered at most, across runs. */
    @WithDefault("3")
    int maxAttemptsPerDelivery();

    /** Wait before retrying a request GitHub answered 429 or 5xx; doubles each retry. */
    @WithDefault("1s")
    Duration backoff();
  }
}
