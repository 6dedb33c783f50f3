package dev.tollgate.cli.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.bundle.Yaml;
import dev.tollgate.verifier.policy.PolicyException;
import dev.tollgate.verifier.policy.PolicyReader;
import dev.tollgate.verifier.policy.TriggerPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The TriggerPolicy files of a directory ({@code *.yaml}, {@code *.yml}), each read by the
 * verifier's policy reader with its trust configuration. Other YAML files (the trust files the
 * policies name) are left out by their {@code kind}; a policy that does not read is an error.
 */
record PolicyDirectory(List<TriggerPolicy> policies, List<Path> otherFiles) {

  /** The directory cannot be read, or one of its policies does not read. */
  static final class PolicyDirectoryException extends Exception {
    private static final long serialVersionUID = 1L;

    PolicyDirectoryException(String message) {
      super(message);
    }
  }

  PolicyDirectory {
    policies = List.copyOf(policies);
    otherFiles = List.copyOf(otherFiles);
  }

  static PolicyDirectory read(Path dir) throws PolicyDirectoryException {
    if (!Files.isDirectory(dir)) {
      throw new PolicyDirectoryException("--policies " + dir + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(f -> f.getFileName().toString().matches(".*\\.ya?ml"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new PolicyDirectoryException("cannot list --policies " + dir + ": " + e.getMessage());
    }
    List<TriggerPolicy> policies = new ArrayList<>();
    List<Path> others = new ArrayList<>();
    for (Path f : files) {
      JsonNode root;
      try {
        root = Yaml.readTree(Files.readAllBytes(f));
      } catch (JsonProcessingException e) {
        throw new PolicyDirectoryException(f + ": not YAML: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new PolicyDirectoryException(f + ": cannot read: " + e.getMessage());
      }
      if (root == null || !"TriggerPolicy".equals(root.path("kind").asText())) {
        others.add(f);
        continue;
      }
      try {
        policies.add(PolicyReader.read(f));
      } catch (PolicyException e) {
        throw new PolicyDirectoryException("policy does not read: " + e.getMessage());
      }
    }
    if (policies.isEmpty()) {
      throw new PolicyDirectoryException(
          "--policies " + dir + " holds no TriggerPolicy (*.yaml with kind: TriggerPolicy)");
    }
    return new PolicyDirectory(policies, others);
  }
}
