package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.oci.Deadline;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.RetryPolicy;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.TrustPolicy;
import dev.tollgate.verifier.signature.TrustedKey;
import dev.tollgate.verifier.signature.Validity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A registry that accepts connections and never answers cannot hold a verification past its
 * deadline: the report is a transient error naming REGISTRY_TIMEOUT, and it comes in time.
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
class VerificationDeadlineTest {

  @Test
  void verify_registryStallsPastTheDeadline_transientRegistryTimeoutInTime() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/v2/",
        ex -> {
          try {
            Thread.sleep(30_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    server.start();
    String host = "127.0.0.1:" + server.getAddress().getPort();
    RegistryLookups lookups = RegistryLookups.withDefaults();
    try {
      RegistryClient client =
          RegistryClient.builder().plainHttp(host).retry(RetryPolicy.defaults()).build();
      TektonBundleVerifier verifier =
          TektonBundleVerifier.create(
              client, policy(), Clock.systemUTC(), TagCache.disabled(), lookups);
      long start = System.nanoTime();

      // The engine's own budget is minutes; a caller's sooner deadline wins, as a nested one.
      VerificationReport report;
      Deadline.Scope scope = Deadline.after(Duration.ofSeconds(1)).enter();
      try {
        report = verifier.verify(host + "/acme/bundle:v1");
      } finally {
        scope.close();
      }

      assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.TRANSIENT_ERROR);
      assertThat(report.checks())
          .anySatisfy(c -> assertThat(c.code()).isEqualTo("REGISTRY_TIMEOUT"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    } finally {
      lookups.close();
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  private static VerificationPolicy policy() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    TrustPolicy anyKey =
        TrustPolicy.anyOf(
            List.of(new TrustedKey("release", g.generateKeyPair().getPublic(), Validity.always())));
    return new VerificationPolicy(
        anyKey,
        anyKey,
        StepPolicy.strict(),
        ScanPolicy.defaults(),
        ProvenancePolicy.defaults(),
        Duration.ofMinutes(10),
        100,
        "deadline-test");
  }
}
