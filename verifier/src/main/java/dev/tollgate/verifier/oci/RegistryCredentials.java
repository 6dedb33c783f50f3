package dev.tollgate.verifier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Pull credentials per registry host, read from a docker {@code config.json} ({@code auths.<host>
 * .auth} = base64 of {@code user:password}, or {@code username}/{@code password}). Credential
 * helpers are not run: a verifier should not execute programs named by a config file.
 */
public final class RegistryCredentials {
  private static final RegistryCredentials NONE = new RegistryCredentials(Map.of());

  private final Map<String, Credential> byHost;

  private RegistryCredentials(Map<String, Credential> byHost) {
    this.byHost = Map.copyOf(byHost);
  }

  /** Anonymous access everywhere. */
  public static RegistryCredentials anonymous() {
    return NONE;
  }

  /** Explicit credentials, keyed by registry host (with port). */
  public static RegistryCredentials of(Map<String, Credential> byHost) {
    return new RegistryCredentials(byHost);
  }

  /** Reads a docker {@code config.json}. */
  public static RegistryCredentials fromDockerConfig(Path configJson) throws OciException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(configJson);
    } catch (IOException e) {
      throw invalid(configJson, "unreadable: " + e.getClass().getSimpleName());
    }
    JsonNode root;
    try {
      root = Json.readTree(bytes);
    } catch (MalformedJsonException e) {
      // The parser message can quote the file's content, which holds secrets: do not repeat it.
      throw invalid(configJson, "not valid JSON");
    }
    Map<String, Credential> byHost = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : root.path("auths").properties()) {
      String host = normalizeHost(e.getKey());
      JsonNode entry = e.getValue();
      if (entry.path("auth").isTextual() && !entry.get("auth").asText().isEmpty()) {
        String decoded;
        try {
          decoded =
              new String(
                  Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
          throw invalid(configJson, "auths." + host + ".auth is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
          throw invalid(configJson, "auths." + host + ".auth is not user:password");
        }
        byHost.put(
            host,
            new Credential(decoded.substring(0, colon), Secret.of(decoded.substring(colon + 1))));
      } else if (entry.path("username").isTextual() && entry.path("password").isTextual()) {
        byHost.put(
            host,
            new Credential(
                entry.get("username").asText(), Secret.of(entry.get("password").asText())));
      }
    }
    return new RegistryCredentials(byHost);
  }

  /** The credential for a registry host, if any. */
  public Optional<Credential> forRegistry(String registry) {
    return Optional.ofNullable(byHost.get(normalizeHost(registry)));
  }

  /** {@code https://index.docker.io/v1/} and friends name docker.io, as in docker's own lookup. */
  private static String normalizeHost(String key) {
    String host = key.replaceFirst("^https?://", "");
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      return "docker.io";
    }
    return host;
  }

  private static OciException invalid(Path file, String why) {
    return new OciException(
        OciReason.UNAUTHORIZED,
        "docker config " + file + " " + why,
        Map.of("config", file.toString()));
  }

  @Override
  public String toString() {
    return "RegistryCredentials" + byHost.keySet();
  }
}
