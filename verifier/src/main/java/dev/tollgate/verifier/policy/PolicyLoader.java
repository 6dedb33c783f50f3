package dev.tollgate.verifier.policy;

import dev.tollgate.verifier.namespace.NamespaceRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads every policy source, the directory's files and a ConfigMap's documents, into one candidate
 * set, collecting each invalid policy with its origin: a policy sending runs to a reserved
 * namespace, and two policies of one name, are invalid too.
 */
final class PolicyLoader {

  /**
   * The TriggerPolicy documents of a ConfigMap, with the directory relative trust files resolve
   * against.
   */
  record ConfigMapDocs(String origin, Map<String, String> docs, Path base) {

    /** The documents of {@code data}: its keys ending in {@code .yaml}/{@code .yml}, not hidden. */
    static ConfigMapDocs of(String origin, Map<String, String> data, Path base) {
      Map<String, String> docs = new TreeMap<>();
      data.forEach(
          (k, v) -> {
            if (k.matches(".*\\.ya?ml") && !k.startsWith(".")) {
              docs.put(k, v);
            }
          });
      return new ConfigMapDocs(origin, docs, base);
    }
  }

  /** What a read found: the valid policies, in reading order, and every invalid one. */
  record Loaded(List<TriggerPolicy> policies, List<PolicyException> failed) {}

  private final NamespaceRules namespaces;

  PolicyLoader(NamespaceRules namespaces) {
    this.namespaces = namespaces;
  }

  /** Reads {@code directory}'s policy files, then {@code configMap}'s documents. */
  Loaded load(Optional<Path> directory, Optional<ConfigMapDocs> configMap) {
    List<TriggerPolicy> read = new ArrayList<>();
    List<PolicyException> failed = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    List<Path> files = List.of();
    if (directory.isPresent()) {
      try {
        files = policyFiles(directory.get());
      } catch (IOException e) {
        failed.add(
            new PolicyException(directory.get(), "(directory)", "cannot read: " + e.getMessage()));
      }
    }
    for (Path f : files) {
      try {
        add(PolicyReader.read(f), f.toString(), names, read);
      } catch (PolicyException e) {
        failed.add(e);
      }
    }
    if (configMap.isPresent()) {
      ConfigMapDocs cm = configMap.get();
      for (Map.Entry<String, String> d : cm.docs().entrySet()) {
        String origin = cm.origin() + ":" + d.getKey();
        try {
          add(
              PolicyReader.read(origin, d.getValue().getBytes(StandardCharsets.UTF_8), cm.base()),
              origin,
              names,
              read);
        } catch (PolicyException e) {
          failed.add(e);
        }
      }
    }
    return new Loaded(read, failed);
  }

  private void add(
      TriggerPolicy p, String origin, Map<String, String> names, List<TriggerPolicy> read)
      throws PolicyException {
    Optional<String> reserved = namespaces.why(p.run().namespace());
    if (reserved.isPresent()) {
      throw new PolicyException(
          origin,
          "spec.run.namespace",
          reserved.get() + "; name a tenant namespace of its own, such as team-<name>");
    }
    String other = names.putIfAbsent(p.name(), origin);
    if (other != null) {
      throw new PolicyException(
          origin, "metadata.name", "'" + p.name() + "' is also the name of the policy in " + other);
    }
    read.add(p);
  }

  private static List<Path> policyFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }
}
