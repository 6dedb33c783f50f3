package dev.tollgate.verifier.verify;

import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciLimits;
import dev.tollgate.verifier.oci.OciReason;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.RegistryCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry client the service verifies bundles with, from the mounted files the Deployment
 * provides: Docker's {@code config.json} (or the directory {@code DOCKER_CONFIG} names, holding
 * one) and optionally a PEM of the CAs registries are trusted with.
 */
public final class RegistryAccess {
  static final String DOCKER_CONFIG_FILE = "config.json";

  private RegistryAccess() {}

  /** The client; a configured credentials or CA file that cannot be read is an error. */
  public static RegistryClient client(VerifierConfig.Registry config) throws OciException {
    RegistryClient.Builder b = RegistryClient.builder();
    Optional<Path> credentials = dockerConfigFile(config.dockerConfig());
    if (credentials.isPresent()) {
      b.credentials(RegistryCredentials.fromDockerConfig(credentials.get()));
    }
    if (config.caCertificates().isPresent()) {
      b.trustedCertificates(config.caCertificates().get());
    }
    for (String host : config.plainHttp().orElse(List.of())) {
      b.plainHttp(host);
    }
    for (String entry : config.tokenRealms().orElse(List.of())) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new OciException(
            OciReason.PROTOCOL_ERROR,
            "tollgate.verifier.registry.token-realms entry is not registry=host: " + entry,
            Map.of("entry", entry));
      }
      b.tokenRealm(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
    }
    VerifierConfig.RegistryLimits l = config.limits();
    try {
      b.limits(
          new OciLimits(
              l.manifestBytes(),
              l.signaturePayloadBytes(),
              l.envelopeBytes(),
              l.layerBytes(),
              l.maxReferrers(),
              l.maxDescriptors()));
    } catch (IllegalArgumentException e) {
      throw new OciException(
          OciReason.PROTOCOL_ERROR,
          "tollgate.verifier.registry.limits: " + e.getMessage(),
          Map.of("limits", "tollgate.verifier.registry.limits"),
          e);
    }
    return b.callTimeout(config.callTimeout()).build();
  }

  /**
   * The {@code config.json} to read: the configured file, or {@code config.json} in the configured
   * directory. A directory without one (the optional Secret is absent) means anonymous access; a
   * configured file that does not exist is read, and fails, so a typo is not silently anonymous.
   */
  public static Optional<Path> dockerConfigFile(Optional<Path> configured) {
    if (configured.isEmpty()) {
      return Optional.empty();
    }
    Path p = configured.get();
    if (Files.isDirectory(p)) {
      Path file = p.resolve(DOCKER_CONFIG_FILE);
      return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
    return Optional.of(p);
  }
}
