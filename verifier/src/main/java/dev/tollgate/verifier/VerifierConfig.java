package dev.tollgate.verifier;

import dev.tollgate.verifier.engine.RegistryLookups;
import dev.tollgate.verifier.namespace.NamespaceRules;
import dev.tollgate.verifier.oci.OciLimits;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.TagCache;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The verifier service's configuration ({@code tollgate.verifier.*}); strict defaults. */
@ConfigMapping(prefix = "tollgate.verifier")
public interface VerifierConfig {

  /** Where trigger policies come from. */
  Policies policies();

  /** The cluster PipelineRuns are created in. */
  Cluster cluster();

  /** How bundles are fetched. */
  Registry registry();

  /** Bounded retries of registry and cluster errors. */
  Retry retry();

  /** Secure defaults of tenant namespaces. */
  Tenants tenants();

  /** The trust configuration mounted into the pod. */
  Trust trust();

  /** Durable {@code /ok-to-test} approvals. */
  Approvals approvals();

  /** How old a trigger may be when it is decided. */
  Trigger trigger();

  /**
   * Freshness of triggers, measured from the instant the gateway accepted the trigger (its {@code
   * receivedAt}, which the gateway's signature covers) to the verifier's clock.
   */
  interface Trigger {
    /**
     * A trigger older than this is decided {@code error} TRIGGER_STALE and nothing runs: a backlog
     * after an outage, or a genuine record replayed onto the topic, is not acted on silently.
     */
    @WithDefault("PT1H")
    Duration maxAge();

    /** A trigger dated further ahead of the clock than this is decided {@code error}. */
    @WithDefault("PT5M")
    Duration maxClockSkew();
  }

  /** Trigger policy source. */
  interface Policies {
    /**
     * Directory of {@code *.yaml}/{@code *.yml} TriggerPolicy files (a mounted ConfigMap works).
     * Absent: no policy, every trigger is ignored.
     */
    Optional<Path> directory();

    /** How often the directory is checked for changes. */
    @WithDefault("PT2S")
    Duration reloadInterval();

    /**
     * A ConfigMap whose {@code *.yaml}/{@code *.yml} keys are TriggerPolicies, watched through the
     * Kubernetes API (besides the directory, if both are set). Their {@code spec.trust.policyFile}
     * is resolved against {@code tollgate.verifier.trust.directory}.
     */
    Optional<String> configMap();

    /** The ConfigMap's namespace; absent: the namespace the verifier runs in. */
    Optional<String> configMapNamespace();
  }

  /** Files the trust Secret provides. */
  interface Trust {
    /**
     * Directory of the mounted trust Secret ({@code tollgate-verifier-trust}: the trust policy
     * file, {@code trusted_root.json}, {@code cosign.pub}); relative trust files of ConfigMap
     * policies resolve against it.
     */
    @WithDefault("/etc/tollgate/trust")
    Path directory();
  }

  /** Where approvals are kept so that a restart and every replica see them. */
  interface Approvals {
    /** Compacted topic keyed by {@code repository#number}, holding the approved head SHA. */
    @WithDefault("tollgate.approvals.v1")
    String topic();

    /** How long a lookup waits to read the topic up to its end before deciding {@code error}. */
    @WithDefault("PT10S")
    Duration readTimeout();
  }

  /** Kubernetes API access. */
  interface Cluster {
    /**
     * API server URL; absent: in-cluster service account or kubeconfig, looked up on first use
     * (never at startup).
     */
    Optional<String> apiServerUrl();
  }

  /** OCI registry access for the engine. */
  interface Registry {
    /** Registries (host:port) spoken to over plain HTTP: local stacks and tests only. */
    Optional<List<String>> plainHttp();

    /**
     * Registry credentials: a Docker {@code config.json}, or a directory holding one (Docker's
     * {@code DOCKER_CONFIG} convention, which the Deployment sets to the mounted Secret). A
     * directory without {@code config.json} means anonymous access (the Secret is optional).
     */
    Optional<Path> dockerConfig();

    /** PEM file of the CA certificates registries are trusted with, instead of the JDK's. */
    Optional<Path> caCertificates();

    /** How long a bundle tag's digest is used before the registry is asked again. */
    TagResolutions tagCache();

    /**
     * Most registry lookups in flight at once on the verifier's own threads (1 to 256); beyond
     * that, a lookup runs in the thread that needs it.
     */
    @WithDefault("" + RegistryLookups.DEFAULT_THREADS)
    int lookupThreads();

    /** How much is ever read from a registry ({@link OciLimits}: why these values). */
    RegistryLimits limits();

    /**
     * Token services that may receive a registry's credentials though they are not on its host, as
     * {@code registry=host} (e.g. {@code quay.example.com=auth.example.com}); Docker Hub's {@code
     * auth.docker.io} is allowed without this. Any other token service is asked anonymously.
     */
    Optional<List<String>> tokenRealms();

    /** The time budget of one registry call with its retries and pauses. */
    @WithDefault(RegistryClient.DEFAULT_CALL_TIMEOUT)
    Duration callTimeout();
  }

  /** Caps on registry answers, per kind of artifact; see {@link OciLimits}. */
  interface RegistryLimits {
    /** Manifests, indexes and referrers pages. */
    @WithDefault(OciLimits.DEFAULT_MANIFEST_BYTES)
    long manifestBytes();

    /** A cosign simple-signing payload. */
    @WithDefault(OciLimits.DEFAULT_SIGNATURE_PAYLOAD_BYTES)
    long signaturePayloadBytes();

    /** A DSSE envelope or a sigstore bundle. */
    @WithDefault(OciLimits.DEFAULT_ENVELOPE_BYTES)
    long envelopeBytes();

    /** Any other blob: a Tekton bundle layer. */
    @WithDefault(OciLimits.DEFAULT_LAYER_BYTES)
    long layerBytes();

    /** Referrers followed for one digest, all pages together. */
    @WithDefault(OciLimits.DEFAULT_MAX_REFERRERS)
    int maxReferrers();

    /** Layers of one manifest or entries of one index. */
    @WithDefault(OciLimits.DEFAULT_MAX_DESCRIPTORS)
    int maxDescriptors();
  }

  /**
   * The cache of bundle tag to digest resolutions ({@link TagCache}: why it is safe, and why
   * short). The verified results themselves are cached by digest under the trust policy file's
   * {@code cache} settings.
   */
  interface TagResolutions {
    /**
     * How long a tag's digest is used without asking the registry again; a moved tag is picked up
     * after at most this long. {@code PT0S}: resolve on every verification.
     */
    @WithDefault(TagCache.DEFAULT_TTL)
    Duration ttl();

    /** Most tags remembered; the least recently used is forgotten first. {@code 0}: off. */
    @WithDefault(TagCache.DEFAULT_MAX_ENTRIES)
    int maxEntries();
  }

  /** Retries with exponential backoff. */
  interface Retry {
    /** Attempts in all, the first included. */
    @WithDefault("4")
    int maxAttempts();

    /** Wait before the second attempt; doubled each time. */
    @WithDefault("PT0.2S")
    Duration initialBackoff();

    /** Longest wait between attempts. */
    @WithDefault("PT5S")
    Duration maxBackoff();
  }

  /** What each tenant namespace gets before its first run. */
  interface Tenants {
    /** CIDRs runs may reach besides cluster DNS; none means DNS only. */
    Optional<List<String>> egressCidrs();

    /** Size of the workspace PersistentVolumeClaim. */
    @WithDefault("1Gi")
    String workspaceSize();

    /** ResourceQuota: pods. */
    @WithDefault("20")
    String quotaPods();

    /** ResourceQuota: CPU requests and limits. */
    @WithDefault("8")
    String quotaCpu();

    /** ResourceQuota: memory requests and limits. */
    @WithDefault("16Gi")
    String quotaMemory();

    /** LimitRange default limit per container: CPU. */
    @WithDefault("1")
    String defaultCpu();

    /** LimitRange default limit per container: memory. */
    @WithDefault("1Gi")
    String defaultMemory();

    /**
     * The Kafka cluster's namespace: no run ever goes there, and a policy naming it is refused at
     * load.
     */
    @WithDefault(NamespaceRules.DEFAULT_KAFKA_NAMESPACE)
    String kafkaNamespace();

    /**
     * Further namespaces no run goes to (a policy naming one is refused at load), besides {@code
     * default}, {@code kube-*}, Tekton's, Tollgate's own and the Kafka namespace.
     */
    Optional<List<String>> reservedNamespaces();

    /**
     * Registry pull Secrets a policy may name ({@code spec.run.pullSecret}), each as {@code
     * name=namespace/secret}: the Secret an administrator designates as its source, copied into the
     * tenant namespaces of the policies naming it. The verifier reads only these (a Role with their
     * resourceNames in the source namespace).
     */
    Optional<List<String>> pullSecrets();

    /**
     * Watch Tollgate's own objects in tenant namespaces (needs list and watch on their kinds), so
     * that a namespace already at its secure defaults is checked without a request; false: read
     * every object on every admission.
     */
    @WithDefault("true")
    boolean watchObjects();
  }
}
