package dev.tollgate.verifier.oci;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;

/**
 * Where a registry may send us: redirects ({@code Location}), pagination ({@code Link}) and bearer
 * realms are addresses a registry chooses, so each is checked before it is requested. Only http(s),
 * no downgrade from https, no user info, and never an address on the loopback, link-local
 * (including cloud metadata at 169.254.169.254) or wildcard networks unless the registry itself is
 * on such a network, as a test registry on 127.0.0.1 is.
 *
 * <p>Names are resolved here and the addresses checked; a name that resolves differently when the
 * HTTP client connects moments later (DNS rebinding) is not caught by this check alone, which is
 * why no credentials ever follow a redirect to another host either.
 */
final class Destinations {
  private Destinations() {}

  /** Parses {@code reference} against {@code base}; a malformed one is a protocol error. */
  static URI resolve(URI base, String reference, String what) throws OciException {
    try {
      URI parsed = new URI(reference.trim());
      return base.resolve(parsed);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw refused(base, what + " is not a URI", "unparseable");
    }
  }

  /**
   * Checks a destination the registry at {@code origin} chose. {@code origin} is the URL the
   * verifier itself built for the registry.
   */
  static void check(URI origin, URI target, String what) throws OciException {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw refused(origin, what + " uses scheme '" + abbreviate(scheme) + "'", scheme);
    }
    if (scheme.equals("http") && "https".equalsIgnoreCase(origin.getScheme())) {
      throw refused(origin, what + " downgrades https to http", String.valueOf(target.getHost()));
    }
    if (target.getRawUserInfo() != null) {
      throw refused(origin, what + " carries user info", target.getHost());
    }
    String host = target.getHost();
    if (host == null || host.isEmpty()) {
      throw refused(origin, what + " has no host", scheme);
    }
    if (host.equalsIgnoreCase(origin.getHost())) {
      return;
    }
    Network targetNet = network(host, origin, what);
    if (targetNet == Network.PUBLIC) {
      return;
    }
    if (network(origin.getHost(), origin, "the registry") != targetNet) {
      throw refused(
          origin,
          what + " points into the " + targetNet.label + " network, where the registry is not",
          host);
    }
  }

  /** Networks a registry must not point us into unless it is there itself. */
  enum Network {
    PUBLIC("public"),
    LOOPBACK("loopback"),
    LINK_LOCAL("link-local"),
    WILDCARD("wildcard");

    final String label;

    Network(String label) {
      this.label = label;
    }
  }

  /** The most restricted network any address of {@code host} is in. */
  static Network network(String host, URI origin, String what) throws OciException {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(stripBrackets(host));
    } catch (UnknownHostException | SecurityException e) {
      throw new OciException(
          OciReason.REGISTRY_UNAVAILABLE,
          what + " host " + abbreviate(host) + " does not resolve",
          Map.of("host", abbreviate(host), "registry", String.valueOf(origin.getHost())),
          e);
    }
    Network worst = Network.PUBLIC;
    for (InetAddress a : addresses) {
      Network n = classify(a);
      if (n != Network.PUBLIC) {
        worst = n;
      }
    }
    return worst;
  }

  static Network classify(InetAddress a) {
    if (a.isAnyLocalAddress()) {
      return Network.WILDCARD;
    }
    if (a.isLoopbackAddress()) {
      return Network.LOOPBACK;
    }
    if (a.isLinkLocalAddress()) {
      return Network.LINK_LOCAL;
    }
    return Network.PUBLIC;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** {@code target} names where we were sent, never with its path or query (signed URLs). */
  static OciException refused(URI origin, String why, String target) {
    return new OciException(
        OciReason.REDIRECT_REFUSED,
        String.valueOf(origin.getHost()) + ": " + why,
        Map.of("registry", String.valueOf(origin.getHost()), "target", abbreviate(target)));
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
