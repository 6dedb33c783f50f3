package dev.tollgate.verifier.oci;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} challenge (RFC 7235): the scheme and its parameters, e.g.
 * {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"}.
 */
record BearerChallenge(String scheme, Map<String, String> params) {

  BearerChallenge {
    params = Map.copyOf(params);
  }

  boolean isBearer() {
    return "bearer".equals(scheme);
  }

  boolean isBasic() {
    return "basic".equals(scheme);
  }

  Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /** Parses the first challenge of a header value; quoted values may contain commas. */
  static Optional<BearerChallenge> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String h = header.trim();
    int space = h.indexOf(' ');
    String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
    if (scheme.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = space < 0 ? h.length() : space + 1;
    while (i < h.length()) {
      while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
        i++;
      }
      int eq = h.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < h.length() && h.charAt(i) == '"') {
        i++;
        while (i < h.length() && h.charAt(i) != '"') {
          if (h.charAt(i) == '\\' && i + 1 < h.length()) {
            i++;
          }
          value.append(h.charAt(i++));
        }
        i++;
      } else {
        while (i < h.length() && h.charAt(i) != ',') {
          value.append(h.charAt(i++));
        }
      }
      params.put(name, value.toString().trim());
    }
    return Optional.of(new BearerChallenge(scheme, params));
  }
}
