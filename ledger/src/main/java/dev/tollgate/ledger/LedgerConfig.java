package dev.tollgate.ledger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The ledger service's settings ({@code tollgate.ledger.*}, or {@code TOLLGATE_LEDGER_*} in the
 * environment). Kafka is reached through Quarkus' {@code kafka.bootstrap.servers}.
 */
@ConfigMapping(prefix = "tollgate.ledger")
public interface LedgerConfig {

  /** PKCS#8 PEM file with the ledger's Ed25519 key ({@code openssl genpkey -algorithm ED25519}). */
  Path signingKeyFile();

  /**
   * PEM files of keys the ledger was signed with before {@link #signingKeyFile()}: when the chain's
   * key in force is one of them, the writer appends a key-rotation record signed by it that
   * announces the signing key, then signs with the signing key only.
   */
  Optional<List<Path>> previousSigningKeyFiles();

  /**
   * Where the writer keeps the Merkle tree, the record offsets and the indexes between restarts
   * (plain files, see {@code LedgerDataDir}), so a restart reads only the records since the last
   * commit. Without it they are rebuilt from the whole ledger topic on every start.
   */
  Optional<Path> dataDir();

  /** The topics the ledger reads and the one it writes. */
  Topics topics();

  /** Signed checkpoints of the ledger's Merkle tree. */
  Checkpoint checkpoint();

  /** Consumer group the writer reads the source topics in. */
  @WithDefault("tollgate-ledger")
  String groupId();

  /** Fixed transactional id of the writer, so a new instance fences the one before it. */
  @WithDefault("tollgate-ledger-writer.${tollgate.ledger.topics.ledger}")
  String transactionalId();

  /** How long one poll of the source topics waits for events. */
  @WithDefault("500ms")
  Duration pollTimeout();

  /** How many source events one transaction gathers, and how long it waits for them. */
  Batch batch();

  /**
   * Gathering events into transactions: each transaction, offset commit and poll has a fixed cost
   * on the ledger and the broker, which batching spreads over many records at a low rate.
   */
  interface Batch {
    /**
     * The most source events one transaction records (also the consumer's max.poll.records). A
     * writer catching up on a backlog fills every transaction: its fixed costs on the ledger and
     * the broker are then shared by this many records.
     */
    @WithDefault("2000")
    int maxRecords();

    /**
     * How long the writer waits for more events after the first one of a transaction (and the
     * broker holds a fetch for a batch's bytes); a record reaches the ledger topic within about
     * twice this plus one transaction. 0 appends what each poll returns at once.
     */
    @WithDefault("100ms")
    Duration linger();
  }

  /** Pause before retrying after an aborted transaction or an unreachable broker. */
  @WithDefault("2s")
  Duration retryBackoff();

  /** The Tekton run watch. */
  Watch watch();

  /** Independent witnesses that cosign the ledger's checkpoints (C2SP tlog-witness). */
  Witness witness();

  /**
   * Witnesses: off while {@code urls} is empty. Every new checkpoint is submitted to each, off the
   * writer's path; cosignatures are kept in {@code <data-dir>/cosignatures/}.
   */
  interface Witness {
    /** Each witness's submission prefix ({@code <url>/add-checkpoint} is posted to). */
    Optional<List<URI>> urls();

    /**
     * Each witness's cosignature verifier key {@code <name>+<hex key ID>+<base64>}, in the order of
     * {@link #urls()}: a witness's answer counts only when it verifies under its key.
     */
    Optional<List<String>> keys();

    /**
     * How many witnesses must have cosigned a checkpoint before receipts are served against it
     * (default: all of them).
     */
    OptionalInt quorum();

    /** How long one submission may take. */
    @WithDefault("10s")
    Duration timeout();

    /** How often a witness that is up to date looks for a new checkpoint. */
    @WithDefault("1s")
    Duration poll();

    /** Pause after a first failed submission; doubled after each further one. */
    @WithDefault("1s")
    Duration firstRetry();

    /** Longest pause between two submissions to a failing witness. */
    @WithDefault("5m")
    Duration maxRetry();
  }

  /** Personal data: which payload parts are sealed so an erasure request can be honoured. */
  Privacy privacy();

  /**
   * Sealing for erasure (README "Personal data in the ledger"). On by default: the ledger is kept
   * forever and readable by every reader of its topic, while the webhook body it would otherwise
   * hold (authors' names and e-mail addresses, commit messages) is needed by no check; what audit
   * needs (repository, ref, commits, sender login, delivery id, decision) stays in the clear.
   */
  interface Privacy {
    /** Whether configured payload parts are sealed; false records every payload whole. */
    @WithDefault("true")
    boolean enabled();

    /** The parts sealed, each {@code <kind>:<RFC 6901 pointer>}: the trigger's webhook body. */
    @WithDefault("trigger:/payload")
    List<String> seal();

    /**
     * The sealed store's directory; default {@code <data-dir>/sealed}. Sealing without a data
     * directory needs it, or the ledger refuses to start (sealed content must outlive a restart).
     */
    Optional<Path> sealedStore();
  }

  /** Watching PipelineRuns and TaskRuns (read-only) and recording their start and outcome. */
  interface Watch {
    /**
     * Whether to watch runs. Even when true, the watch stays off (with a warning) where no cluster
     * configuration exists: no in-cluster service account and no kubeconfig.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a run labelled with a decision id waits for that decision to reach the ledger before
     * it is recorded as unadmitted.
     */
    @WithDefault("2m")
    Duration decisionGrace();

    /** How often every run is re-delivered, so an event that could not be published is retried. */
    @WithDefault("5m")
    Duration resync();
  }

  /** When checkpoints are appended, and under which name they are signed. */
  interface Checkpoint {
    /**
     * The checkpoint origin line, also the signed-note key name: non-empty, no spaces, no '+'.
     * Changing it makes the writer refuse a ledger holding checkpoints of the old origin.
     */
    @WithDefault("tollgate.dev/ledger/${tollgate.ledger.topics.ledger}")
    String origin();

    /** Records between two checkpoints at most (checkpoint records not counted). */
    @WithDefault("1000")
    long everyRecords();

    /** Longest time a new record waits for a checkpoint while the writer runs. */
    @WithDefault("60s")
    Duration interval();
  }

  /** Topic names. */
  interface Topics {
    /** Trigger events from the gateway. */
    @WithDefault("tollgate.triggers.v1")
    String triggers();

    /** Rejections from the gateway. */
    @WithDefault("tollgate.rejections.v1")
    String rejections();

    /** Decisions from the verifier. */
    @WithDefault("tollgate.decisions.v1")
    String decisions();

    /** Run outcomes from the run watch. */
    @WithDefault("tollgate.runs.v1")
    String runs();

    /** The ledger itself: one partition, one chain. */
    @WithDefault("tollgate.ledger.v1")
    String ledger();
  }
}
