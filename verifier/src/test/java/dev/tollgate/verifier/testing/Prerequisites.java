package dev.tollgate.verifier.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs the tests need. Missing on a developer machine: the test is skipped with a
 * message saying how to install it. Missing under CI (the CI environment variable is set): the test
 * fails, so a broken CI image cannot turn the suite silently green.
 */
public final class Prerequisites {
  public static final Path REGISTRY = Path.of("/usr/bin/docker-registry");

  /**
   * The independent signer with its npm packages installed: the copy named by {@code
   * TOLLGATE_SIGSTORE_OFFLINE}; else {@code ../shared/tools/sigstore-offline} if its packages are
   * installed in place; else the copy {@code deploy/local/prereqs} makes in the user's cache
   * ({@code $XDG_CACHE_HOME/tollgate/sigstore-offline}), because the shared folder may be
   * read-only.
   */
  public static final Path SIGSTORE_OFFLINE = sigstoreOffline();

  private Prerequisites() {}

  private static Path sigstoreOffline() {
    String named = System.getenv("TOLLGATE_SIGSTORE_OFFLINE");
    if (named != null) {
      return Path.of(named).toAbsolutePath();
    }
    Path shared =
        Path.of(System.getProperty("tollgate.root", "."))
            .toAbsolutePath()
            .getParent()
            .resolve("shared/tools/sigstore-offline");
    if (Files.isDirectory(shared.resolve("node_modules"))) {
      return shared;
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path cacheRoot =
        cache != null && !cache.isEmpty()
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache");
    return cacheRoot.resolve("tollgate/sigstore-offline");
  }

  public static void requireRegistry() {
    require(
        Files.isExecutable(REGISTRY),
        REGISTRY + " is missing; run deploy/local/prereqs (apt-get install docker-registry)");
  }

  public static void requireSigstoreOffline() {
    require(
        Files.isDirectory(SIGSTORE_OFFLINE.resolve("node_modules")) && onPath("node"),
        SIGSTORE_OFFLINE
            + "/node_modules or node is missing; run deploy/local/prereqs (npm install there)");
  }

  /** Go, with sigs.k8s.io/yaml in Debian's GOPATH (golang-go, golang-k8s-sigs-yaml-dev). */
  public static void requireGo() {
    require(
        onPath("go") && Files.isDirectory(Path.of(GOPATH, "src/sigs.k8s.io/yaml")),
        "go or " + GOPATH + "/src/sigs.k8s.io/yaml is missing; run deploy/local/prereqs");
  }

  /** Where Debian installs Go packages; the tests build in GOPATH mode, offline. */
  public static final String GOPATH = "/usr/share/gocode";

  public static void requireOpenssl() {
    require(onPath("openssl"), "openssl is missing; run deploy/local/prereqs");
  }

  private static void require(boolean present, String message) {
    if (present) {
      return;
    }
    if (System.getenv("CI") != null) {
      fail("CI is set and a test prerequisite is missing: " + message);
    }
    Assumptions.abort("skipped, prerequisite missing: " + message);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
