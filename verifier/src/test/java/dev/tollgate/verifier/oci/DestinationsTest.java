package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where a registry may send the verifier, decided on the address alone (IP literals: no DNS). The
 * redirect tests with real servers cover names.
 */
class DestinationsTest {
  private static final URI TLS_REGISTRY = URI.create("https://203.0.113.7/v2/acme/app/blobs/x");
  private static final URI LOOPBACK_REGISTRY = URI.create("http://127.0.0.1:5000/v2/a/blobs/x");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "http://203.0.113.9/blob, downgrades https to http",
    "https://127.0.0.1/blob, loopback",
    "https://127.1.2.3:8443/blob, loopback",
    "https://[::1]/blob, loopback",
    "https://[::ffff:127.0.0.1]/blob, loopback",
    "https://169.254.169.254/latest/meta-data, link-local",
    "https://[fe80::1]/blob, link-local",
    "https://0.0.0.0/blob, wildcard",
    "https://[::]/blob, wildcard",
    "jar:https://203.0.113.9/x.jar!/, scheme 'jar'",
    "'data:text/plain;base64,AAAA', uses scheme",
    "https://user@203.0.113.9/blob, user info",
  })
  void check_fromPublicTlsRegistry_refused(String target, String why) {
    assertThatThrownBy(() -> Destinations.check(TLS_REGISTRY, URI.create(target), "redirect"))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.REDIRECT_REFUSED);
              assertThat(e.getMessage()).contains(why);
              assertThat(e.evidence().get("target")).doesNotContain("/blob").doesNotContain("?");
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "https://203.0.113.9/cdn/blob?sig=abc",
    "https://203.0.113.7:8443/other-port",
    "https://[2001:db8::1]/blob",
  })
  void check_fromPublicTlsRegistry_followed(String target) {
    assertThatCode(() -> Destinations.check(TLS_REGISTRY, URI.create(target), "redirect"))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"http://127.0.0.2:9000/blob", "https://[::1]/blob", "http://127.0.0.1:5000/x"})
  void check_registryItselfOnLoopback_loopbackFollowed(String target) {
    assertThatCode(() -> Destinations.check(LOOPBACK_REGISTRY, URI.create(target), "redirect"))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"http://169.254.169.254/", "http://0.0.0.0:5000/"})
  void check_registryOnLoopback_otherLocalNetworksRefused(String target) {
    assertThatThrownBy(() -> Destinations.check(LOOPBACK_REGISTRY, URI.create(target), "redirect"))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.REDIRECT_REFUSED));
  }
}
