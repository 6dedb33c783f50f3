package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every production package of every module says in its {@code package-info.java} what it holds, so
 * a newcomer finds each rule of the threat model by name. A new package without one fails here.
 */
class PackageDocsTest {

  private static final Path ROOT = Path.of(System.getProperty("tollgate.root", "../.."));

  @Test
  void productionPackages_everyModule_haveAPackageInfo() throws IOException {
    Set<Path> packages = new TreeSet<>();
    Set<Path> documented = new TreeSet<>();
    for (Path sources : sourceRoots()) {
      try (Stream<Path> files = Files.walk(sources)) {
        files
            .filter(f -> f.toString().endsWith(".java"))
            .forEach(
                f -> {
                  if (f.getFileName().toString().equals("package-info.java")) {
                    documented.add(f.getParent());
                  } else {
                    packages.add(f.getParent());
                  }
                });
      }
    }

    // The check cannot pass by finding nothing: the three services are always here.
    assertThat(packages).hasSizeGreaterThan(30);
    assertThat(packages.stream().filter(p -> !documented.contains(p)).map(ROOT::relativize))
        .as("packages without a package-info.java saying what they hold")
        .isEmpty();
  }

  private static List<Path> sourceRoots() throws IOException {
    try (Stream<Path> dirs = Files.walk(ROOT, 5)) {
      return dirs.filter(d -> d.endsWith(Path.of("src", "main", "java")))
          .filter(d -> !d.toString().contains("node_modules"))
          .filter(d -> !d.toString().contains("/target/"))
          .toList();
    }
  }
}
