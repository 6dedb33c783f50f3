package dev.tollgate.verifier.oci;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The settings of a {@link RegistryClient}, with safe defaults: TLS with the JDK's CAs, anonymous,
 * the {@link OciLimits#defaults()} caps, 10 s to connect, 60 s per round trip, two minutes per call
 * (a verification's own {@link Deadline} is used when sooner), credentials sent to a token realm
 * only on the registry's host (or Docker Hub's {@code auth.docker.io}).
 *
 * <p>Use it as {@link RegistryClient.Builder}.
 */
abstract class RegistryClientBuilder {
  RegistryCredentials credentials = RegistryCredentials.anonymous();
  final Set<String> plainHttpRegistries = new HashSet<>();
  final Map<String, Set<String>> tokenRealms = new HashMap<>(RegistryAuth.DEFAULT_TOKEN_REALMS);
  RetryPolicy retry = RetryPolicy.defaults();
  OciLimits limits = OciLimits.defaults();
  Duration connectTimeout = Duration.ofSeconds(10);
  Duration requestTimeout = Duration.ofSeconds(60);
  Duration callTimeout = Duration.parse(RegistryClient.DEFAULT_CALL_TIMEOUT);
  private SSLContext sslContext;
  RegistryClient.Sleeper sleeper = d -> Thread.sleep(d.toMillis());
  Clock clock = Clock.systemUTC();
  RoundTripListener roundTrips = RoundTripListener.none();

  RegistryClientBuilder() {}

  private RegistryClient.Builder self() {
    return (RegistryClient.Builder) this;
  }

  /** Told about every HTTP exchange (for benchmarks and metrics). */
  public RegistryClient.Builder roundTrips(RoundTripListener listener) {
    this.roundTrips = Objects.requireNonNull(listener);
    return self();
  }

  public RegistryClient.Builder credentials(RegistryCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials);
    return self();
  }

  /** Talks plain HTTP to this registry ({@code host:port}); for local test registries only. */
  public RegistryClient.Builder plainHttp(String registry) {
    plainHttpRegistries.add(registry);
    return self();
  }

  /**
   * Lets {@code registry}'s credentials go to a bearer token service on {@code realmHost}, which is
   * not the registry's own host. Without this, such a realm is asked for a token anonymously.
   */
  public RegistryClient.Builder tokenRealm(String registry, String realmHost) {
    Set<String> hosts = new HashSet<>(tokenRealms.getOrDefault(registry, Set.of()));
    hosts.add(realmHost.toLowerCase(Locale.ROOT));
    tokenRealms.put(registry, Set.copyOf(hosts));
    return self();
  }

  public RegistryClient.Builder retry(RetryPolicy retry) {
    this.retry = Objects.requireNonNull(retry);
    return self();
  }

  /** The caps on what is read; {@link OciLimits#defaults()} unless set. */
  public RegistryClient.Builder limits(OciLimits limits) {
    this.limits = Objects.requireNonNull(limits);
    return self();
  }

  public RegistryClient.Builder maxManifestBytes(long limit) {
    this.limits = limits.withManifestBytes(limit);
    return self();
  }

  /** The cap on blobs other than signatures, envelopes and bundles (Tekton bundle layers). */
  public RegistryClient.Builder maxBlobBytes(long limit) {
    this.limits = limits.withLayerBytes(limit);
    return self();
  }

  /**
   * Time to connect, and time for one round trip from sending the request to the last byte of the
   * body.
   */
  public RegistryClient.Builder timeouts(Duration connect, Duration request) {
    this.connectTimeout = positive(connect);
    this.requestTimeout = positive(request);
    return self();
  }

  /**
   * The budget of one call ({@code manifest}, {@code blob}, ...) with all its round trips, retries
   * and pauses, when no sooner {@link Deadline} is current.
   */
  public RegistryClient.Builder callTimeout(Duration budget) {
    this.callTimeout = positive(budget);
    return self();
  }

  /**
   * Trusts exactly the CA certificates in this PEM file for TLS, instead of the JDK's defaults: for
   * registries behind a private CA.
   */
  public RegistryClient.Builder trustedCertificates(Path pem) throws OciException {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new CertificateException("no certificate in file");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      this.sslContext = context;
      return self();
    } catch (IOException | GeneralSecurityException e) {
      throw new OciException(
          OciReason.PROTOCOL_ERROR,
          "cannot use CA certificates from " + pem + ": " + e.getMessage(),
          Map.of("file", pem.toString()),
          e);
    }
  }

  public RegistryClient.Builder sleeper(RegistryClient.Sleeper sleeper) {
    this.sleeper = Objects.requireNonNull(sleeper);
    return self();
  }

  public RegistryClient.Builder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock);
    return self();
  }

  public RegistryClient build() {
    HttpClient.Builder http =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            // Redirects are followed by hand: only to allowed places, credentials never off-host.
            .followRedirects(HttpClient.Redirect.NEVER);
    if (sslContext != null) {
      http.sslContext(sslContext);
    }
    return new RegistryClient(this, http.build());
  }

  private static Duration positive(Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("a timeout is positive: " + d);
    }
    return d;
  }
}
