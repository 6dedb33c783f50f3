package dev.tollgate.gateway.external;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a {@link LocalIssuer} and configures the gateway to trust it, with one external trigger
 * and one schedule that ticks every second.
 */
public final class LocalIssuerResource implements QuarkusTestResourceLifecycleManager {

  public static final String SUBJECT = "system:serviceaccount:ci:nightly-scan";

  private LocalIssuer issuer;

  @Override
  public Map<String, String> start() {
    issuer = new LocalIssuer();
    return Map.ofEntries(
        Map.entry("tollgate.gateway.oidc.audience", LocalIssuer.AUDIENCE),
        Map.entry("tollgate.gateway.oidc.issuers.local.url", issuer.url()),
        Map.entry("tollgate.gateway.triggers.nightly-scan.issuer", "local"),
        Map.entry("tollgate.gateway.triggers.nightly-scan.subjects", SUBJECT),
        Map.entry("tollgate.gateway.triggers.nightly-scan.repository", "acme/payments"),
        Map.entry("tollgate.gateway.triggers.nightly-scan.ref", "refs/heads/main"),
        Map.entry("tollgate.gateway.triggers.nightly-scan.parameters.profile", "full"),
        Map.entry("tollgate.gateway.schedules.every-second.cron", "* * * * * ?"),
        Map.entry("tollgate.gateway.schedules.every-second.time-zone", "Europe/Berlin"),
        Map.entry("tollgate.gateway.schedules.every-second.repository", "acme/payments"),
        Map.entry("tollgate.gateway.schedules.every-second.parameters.channel", "nightly"));
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(issuer, new TestInjector.MatchesType(LocalIssuer.class));
  }

  @Override
  public void stop() {
    if (issuer != null) {
      issuer.close();
    }
  }
}
