package dev.tollgate.verifier.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.namespace.NamespaceRules;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The trigger policies in force, read from the configured directory and reloaded when a file in it
 * changes. A set with any invalid file is not taken: the previous valid set stays in force and
 * {@link #errors()} says which file, which field and why. With no directory, or an empty one, the
 * set is empty and every trigger is ignored with {@code NO_MATCHING_POLICY}: nothing runs that no
 * policy asked for.
 */
@ApplicationScoped
public class PolicySet {

  private static final Logger LOG = Logger.getLogger(PolicySet.class);

  private final Optional<Path> directory;
  private final java.time.Duration interval;
  private final AtomicReference<List<TriggerPolicy>> policies = new AtomicReference<>(List.of());
  private final AtomicReference<List<PolicyException>> errors = new AtomicReference<>(List.of());
  private volatile String fingerprint = "";
  private volatile boolean configMapExpected;
  private final java.util.concurrent.CountDownLatch configMapLoaded =
      new java.util.concurrent.CountDownLatch(1);
  private Optional<PolicyLoader.ConfigMapDocs> configMap = Optional.empty();
  private ScheduledExecutorService watcher;

  private final NamespaceRules namespaces;
  private final PolicyLoader loader;

  /**
   * The mounted trust Secret: its content is hashed on every tick, and a change rebuilds the set so
   * that rotated keys, identities, trusted root or thresholds are in force without a restart.
   */
  private final Optional<Path> trustDirectory;

  private volatile String trustSeen = "";

  @Inject
  public PolicySet(VerifierConfig config) {
    this(
        config.policies().directory(),
        config.policies().reloadInterval(),
        NamespaceRules.of(config.tenants()),
        Optional.of(config.trust().directory()));
  }

  /** A set read from {@code directory}, for tests and tools; call {@link #reload()} to read. */
  public PolicySet(Optional<Path> directory, java.time.Duration interval) {
    this(directory, interval, NamespaceRules.DEFAULTS);
  }

  /**
   * A set read from {@code directory} that refuses any policy sending runs to a namespace {@code
   * namespaces} reserves; call {@link #reload()} to read.
   */
  public PolicySet(
      Optional<Path> directory, java.time.Duration interval, NamespaceRules namespaces) {
    this(directory, interval, namespaces, Optional.empty());
  }

  /**
   * As above, also watching {@code trustDirectory} (the trust Secret's mount): call {@link
   * #reloadTrust()} to check it.
   */
  public PolicySet(
      Optional<Path> directory,
      java.time.Duration interval,
      NamespaceRules namespaces,
      Optional<Path> trustDirectory) {
    this.directory = directory;
    this.interval = interval;
    this.namespaces = namespaces;
    this.loader = new PolicyLoader(namespaces);
    this.trustDirectory = trustDirectory;
  }

  void onStart(@Observes StartupEvent event) {
    if (directory.isEmpty()) {
      LOG.info("no policy directory (tollgate.verifier.policies.directory)");
    } else {
      reload();
    }
    // Also without a directory: ConfigMap policies name trust files in the trust Secret's mount,
    // which changes on disk when the Secret does.
    watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tollgate-policy-reload");
              t.setDaemon(true);
              return t;
            });
    long millis = Math.max(100, interval.toMillis());
    watcher.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent event) {
    if (watcher != null) {
      watcher.shutdownNow();
    }
  }

  // Per-tick guard: an exception would cancel the fixed-delay reload for good, so a bug in reading
  // is logged and the set in force stays until the next tick.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private void reloadQuietly() {
    try {
      reload();
      reloadTrust();
    } catch (RuntimeException e) {
      // A bug in reading must not stop the reload thread; the set in force stays.
      LOG.error("policy reload failed; the previous policies stay in force", e);
    }
  }

  /** Reads the directory if anything in it changed. Returns whether a new set was taken. */
  public synchronized boolean reload() {
    if (directory.isEmpty()) {
      return false;
    }
    Path dir = directory.get();
    String seen;
    try {
      // Fingerprint first: a file written after it is read now and seen as a change next time.
      seen = PolicyFingerprints.of(dir);
    } catch (IOException e) {
      if (!("unreadable:" + e.getMessage()).equals(fingerprint)) {
        fingerprint = "unreadable:" + e.getMessage();
        errors.set(
            List.of(new PolicyException(dir, "(directory)", "cannot read: " + e.getMessage())));
        LOG.warnf(
            "policy directory %s cannot be read (%s); the previous policies stay in force",
            dir, e.getMessage());
      }
      return false;
    }
    if (seen.equals(fingerprint)) {
      return false;
    }
    fingerprint = seen;
    return rebuild();
  }

  /**
   * Reads the policies again if the content of the trust directories changed (the configured trust
   * Secret mount, and the directory ConfigMap policies resolve trust files against): a rotated key,
   * a new identity, trusted root or threshold is in force within a tick, as a changed policy is. A
   * trust configuration that does not load keeps the previous set in force, with {@link #errors()}
   * (on the readiness check) and the log saying which policy and why; once it is fixed the next
   * tick takes it. Returns whether a new set was taken.
   */
  public synchronized boolean reloadTrust() {
    String now = trustFingerprint();
    if (now.equals(trustSeen)) {
      return false;
    }
    if (directory.isEmpty() && configMap.isEmpty()) {
      // Nothing read yet: the first read takes this content.
      trustSeen = now;
      return false;
    }
    LOG.infof("trust configuration changed; reading the policies again");
    return rebuild();
  }

  /** A hash of the content of the trust directories; empty when there are none. */
  private String trustFingerprint() {
    SortedSet<Path> roots = new TreeSet<>();
    trustDirectory.filter(Files::isDirectory).ifPresent(roots::add);
    configMap
        .map(PolicyLoader.ConfigMapDocs::base)
        .filter(Files::isDirectory)
        .ifPresent(roots::add);
    return PolicyFingerprints.ofTrust(roots);
  }

  /**
   * Tells the set that policies will also come from a ConfigMap: until its first content arrives
   * ({@link #fromConfigMap}), {@link #awaitLoaded} waits, so no trigger is decided against a set
   * that lacks them.
   */
  public void expectConfigMap() {
    configMapExpected = true;
  }

  /**
   * Takes the TriggerPolicies of a ConfigMap's keys ending in {@code .yaml}/{@code .yml} (all of
   * them replace the previous content; an empty map removes them). Relative trust files resolve
   * against {@code base}. As with files, any invalid policy keeps the previous set in force.
   *
   * @param origin names the ConfigMap in errors, e.g. {@code configmap/tollgate-system/policies}
   * @return whether a new set was taken
   */
  public synchronized boolean fromConfigMap(String origin, Map<String, String> data, Path base) {
    configMap = Optional.of(PolicyLoader.ConfigMapDocs.of(origin, data, base));
    boolean taken = rebuild();
    configMapLoaded.countDown();
    return taken;
  }

  /**
   * Waits until the ConfigMap, when one is expected, was read once. Returns false when it was not
   * read in time: nothing must be decided against an incomplete set.
   */
  public boolean awaitLoaded(java.time.Duration timeout) throws InterruptedException {
    return !configMapExpected || configMapLoaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads every source; takes the result only when every policy in it is valid. */
  private boolean rebuild() {
    // Fingerprint first: trust content written after it is read now and seen as a change next tick.
    trustSeen = trustFingerprint();
    PolicyLoader.Loaded loaded = loader.load(directory, configMap);
    List<PolicyException> failed = loaded.failed();
    errors.set(List.copyOf(failed));
    if (!failed.isEmpty()) {
      for (PolicyException e : failed) {
        LOG.warnf(
            "invalid TriggerPolicy: file=%s field=%s: %s; the previous %d policies stay in force",
            e.file(), e.field(), e.why(), policies.get().size());
      }
      return false;
    }
    List<TriggerPolicy> read = new ArrayList<>(loaded.policies());
    read.sort(Comparator.comparing(TriggerPolicy::name));
    policies.set(List.copyOf(read));
    LOG.infof(
        "TriggerPolicies in force: %s",
        read.stream().map(p -> p.name() + "@" + p.version()).toList());
    return true;
  }

  /** The namespaces no run may go to, which this set refuses policies for at load. */
  public NamespaceRules namespaceRules() {
    return namespaces;
  }

  /** The policies in force. */
  public List<TriggerPolicy> policies() {
    return policies.get();
  }

  /** Why the last read of the directory was not taken; empty when it was. */
  public List<PolicyException> errors() {
    return errors.get();
  }

  /** The one policy in force matching the trigger, or why there is none. */
  public Selection select(TriggerEvent trigger) {
    return select(policies.get(), trigger);
  }

  /** The one policy of {@code candidates} matching the trigger, or why there is none. */
  public static Selection select(List<TriggerPolicy> candidates, TriggerEvent trigger) {
    return PolicySelector.select(candidates, trigger);
  }

  /**
   * The outcome of matching: the policy, or the reason no policy applies; and the trigger as JSON
   * for binding parameters.
   */
  public record Selection(
      Optional<TriggerPolicy> policy, Optional<Reason> none, JsonNode trigger) {}
}
