package dev.tollgate.verifier.engine;

import static dev.tollgate.verifier.engine.BundleFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.oci.RetryPolicy;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.testing.MovableClock;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Result and tag caching of bundle verification against a real registry: what a warm verification
 * asks the registry, how long a tag's digest is used, and what is never cached.
 */
@ExtendWith(RegistryExtension.class)
class TektonBundleVerifierCacheTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    BundleFixtures.start(server);
  }

  @Test
  void verify_secondTime_servedFromCacheWithoutRegistry() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("cache", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    TektonBundleVerifier verifier = verifier(policy());
    String pinned = PUSHED.get(bundle.digest()) + "@" + bundle.digest();

    VerificationReport first = verifier.verify(pinned);
    VerificationReport second = verifier.verify(pinned);

    assertThat(first.verified()).as(first.toText()).isTrue();
    assertThat(first.cached()).isFalse();
    assertThat(second.cached()).isTrue();
    assertThat(second.checks()).isEqualTo(first.checks());
  }

  @Test
  void verify_pinnedSecondTime_noRegistryRoundTripTagOneRoundTrip() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("round-trips", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    RegistryClient counted =
        RegistryClient.builder()
            .plainHttp(registry.host())
            .retry(RetryPolicy.none())
            .roundTrips((uri, status, elapsed) -> trips.incrementAndGet())
            .build();
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(counted, policy(), clock(), LOOKUPS);
    String pinned = PUSHED.get(bundle.digest()) + "@" + bundle.digest();

    VerificationReport first = verifier.verify(pinned);
    int cold = trips.getAndSet(0);
    VerificationReport again = verifier.verify(pinned);
    int warmPinned = trips.getAndSet(0);
    VerificationReport byTag = verifier.verify(ref("round-trips", bundle));

    assertThat(first.verified()).as(first.toText()).isTrue();
    assertThat(cold).isGreaterThan(3);
    assertThat(again.cached()).isTrue();
    assertThat(warmPinned).isZero();
    assertThat(byTag.cached()).isTrue();
    assertThat(trips.get()).isEqualTo(1);
  }

  @Test
  void verify_byTagAgainWithinTagTtl_noRegistryRoundTripAndReportSaysCached() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("tag-cache", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    MovableClock clock = new MovableClock(NOW);
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(
            counting(trips), policy(), clock, TagCache.create(Duration.ofSeconds(30), 10), LOOKUPS);

    VerificationReport first = verifier.verify(ref("tag-cache", bundle));
    trips.set(0);
    clock.advance(Duration.ofSeconds(29));
    VerificationReport second = verifier.verify(ref("tag-cache", bundle));

    assertThat(first.verified()).as(first.toText()).isTrue();
    assertThat(resolution(first).evidence()).containsEntry("resolution", "registry");
    assertThat(second.cached()).isTrue();
    assertThat(trips.get()).isZero();
    assertThat(second.pinned()).isEqualTo(first.pinned());
    Check resolved = resolution(second);
    assertThat(resolved.message())
        .isEqualTo("tag v1 resolved at " + NOW + " (cached, ttl 30s) to " + bundle.digest());
    assertThat(resolved.evidence())
        .containsEntry("resolution", "cached")
        .containsEntry("resolvedAt", NOW.toString())
        .containsEntry("tagCacheTtl", "PT30S")
        .containsEntry("digest", bundle.digest().toString());
    assertThat(second.checks().stream().filter(c -> c.name().equals("bundle.resolve"))).hasSize(1);
    assertThat(second.toJson().toString()).contains("(cached, ttl 30s)");
  }

  @Test
  void verify_byTagAfterTagTtl_resolvedAgainAndMovedTagVerifiedUnderNewDigest() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("tag-moves");
    Pushed before =
        pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    MovableClock clock = new MovableClock(NOW);
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(
            counting(trips), policy(), clock, TagCache.create(Duration.ofSeconds(30), 10), LOOKUPS);
    verifier.verify(ImageReference.of(repo, "v1"));
    Pushed after =
        pushBundleTo(repo, List.of(pipeline("moved", embeddedTask("t", image, secure()))), true);

    clock.advance(Duration.ofSeconds(29));
    trips.set(0);
    VerificationReport withinTtl = verifier.verify(ImageReference.of(repo, "v1"));
    int tripsWithinTtl = trips.get();
    clock.advance(Duration.ofSeconds(1));
    VerificationReport afterTtl = verifier.verify(ImageReference.of(repo, "v1"));

    assertThat(withinTtl.pinned()).contains(repo + ":v1@" + before.digest());
    assertThat(tripsWithinTtl).isZero();
    assertThat(afterTtl.verified()).as(afterTtl.toText()).isTrue();
    assertThat(afterTtl.cached()).isFalse();
    assertThat(afterTtl.pinned()).contains(repo + ":v1@" + after.digest());
    assertThat(resolution(afterTtl).evidence())
        .containsEntry("resolution", "registry")
        .containsEntry("resolvedAt", NOW.plusSeconds(30).toString());
    assertThat(trips.get()).isPositive();
  }

  @Test
  void verify_signatureMissing_deniedOnlyForTheMissingTtlThenSignedBundleVerifies()
      throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("signed-late");
    Pushed bundle =
        pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), false);
    MovableClock clock = new MovableClock(NOW);
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(client, policy(), clock, TagCache.disabled(), LOOKUPS);
    String pinned = repo + "@" + bundle.digest();

    VerificationReport unsigned = verifier.verify(pinned);
    sign(repo, bundle.digest());
    clock.advance(VerificationPolicy.DEFAULT_MISSING_TTL.minusSeconds(1));
    VerificationReport withinMissingTtl = verifier.verify(pinned);
    clock.advance(Duration.ofSeconds(1));
    VerificationReport afterMissingTtl = verifier.verify(pinned);

    assertThat(unsigned.problems()).extracting(Check::code).contains("SIGNATURE_MISSING");
    assertThat(withinMissingTtl.cached()).isTrue();
    assertThat(withinMissingTtl.verified()).isFalse();
    assertThat(afterMissingTtl.cached()).isFalse();
    assertThat(afterMissingTtl.verified()).as(afterMissingTtl.toText()).isTrue();
  }

  @Test
  void verify_deniedForAFinding_keptForTheFullTtl() throws Exception {
    String image =
        attestedImage(scan(NOW, finding("CVE-2030-0009", "Critical")), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("denied-kept", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    MovableClock clock = new MovableClock(NOW);
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(client, policy(), clock, TagCache.disabled(), LOOKUPS);
    String pinned = PUSHED.get(bundle.digest()) + "@" + bundle.digest();

    VerificationReport first = verifier.verify(pinned);
    clock.advance(VerificationPolicy.DEFAULT_MISSING_TTL.plusSeconds(1));
    VerificationReport later = verifier.verify(pinned);

    assertThat(first.problems()).extracting(Check::code).contains("VULNERABILITIES_DENIED");
    assertThat(later.cached()).isTrue();
  }

  @Test
  void verify_tagCacheOff_tagResolvedOnEveryVerification() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("tag-off", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(
            counting(trips), policy(), clock(), TagCache.disabled(), LOOKUPS);

    verifier.verify(ref("tag-off", bundle));
    trips.set(0);
    VerificationReport second = verifier.verify(ref("tag-off", bundle));
    int secondTrips = trips.getAndSet(0);
    VerificationReport third = verifier.verify(ref("tag-off", bundle));

    assertThat(second.cached()).isTrue();
    assertThat(secondTrips).isEqualTo(1);
    assertThat(trips.get()).isEqualTo(1);
    assertThat(resolution(third).evidence())
        .containsEntry("resolution", "registry")
        .containsEntry("tagCacheTtl", "PT0S");
  }

  @Test
  void verify_tagNotFound_failureNotCachedAndBundleFoundOncePushed() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("tag-missing");
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(
            client, policy(), clock(), TagCache.create(Duration.ofSeconds(30), 10), LOOKUPS);

    VerificationReport missing = verifier.verify(ImageReference.of(repo, "v1"));
    Pushed pushed =
        pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    VerificationReport found = verifier.verify(ImageReference.of(repo, "v1"));

    assertDeniedAlone(missing, "bundle.resolve", "MANIFEST_UNKNOWN");
    assertThat(found.verified()).as(found.toText()).isTrue();
    assertThat(found.pinned()).contains(repo + ":v1@" + pushed.digest());
  }

  @Test
  void verify_deniedBundleByTag_tagForgottenSoAFixUnderTheSameTagIsSeenAtOnce() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("tag-fixed");
    pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), false);
    TektonBundleVerifier verifier =
        TektonBundleVerifier.create(
            client, policy(), clock(), TagCache.create(Duration.ofSeconds(30), 10), LOOKUPS);

    VerificationReport unsigned = verifier.verify(ImageReference.of(repo, "v1"));
    Pushed fixed =
        pushBundleTo(repo, List.of(pipeline("fixed", embeddedTask("t", image, secure()))), true);
    VerificationReport afterFix = verifier.verify(ImageReference.of(repo, "v1"));

    assertThat(unsigned.verdict()).as(unsigned.toText()).isEqualTo(Verdict.DENIED);
    assertThat(afterFix.verified()).as(afterFix.toText()).isTrue();
    assertThat(afterFix.pinned()).contains(repo + ":v1@" + fixed.digest());
    assertThat(resolution(afterFix).evidence()).containsEntry("resolution", "registry");
  }

  private static Check resolution(VerificationReport report) {
    return report.checks().stream()
        .filter(c -> c.name().equals("bundle.resolve"))
        .findFirst()
        .orElseThrow();
  }

  private static RegistryClient counting(AtomicInteger trips) {
    return RegistryClient.builder()
        .plainHttp(registry.host())
        .retry(RetryPolicy.none())
        .roundTrips((uri, status, elapsed) -> trips.incrementAndGet())
        .build();
  }

  private static void assertDeniedAlone(VerificationReport report, String check, String code) {
    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.DENIED);
    assertThat(report.checks())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo(check);
              assertThat(c.code()).isEqualTo(code);
            });
  }
}
