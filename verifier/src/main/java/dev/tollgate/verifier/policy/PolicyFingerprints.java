package dev.tollgate.verifier.policy;

import dev.tollgate.schemas.json.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.stream.Stream;

/**
 * Hashes of what the policies are read from, compared on every reload tick: a changed hash means a
 * changed file, so the set is read again; an equal one means nothing is read.
 */
final class PolicyFingerprints {

  private PolicyFingerprints() {}

  /** A hash of every visible file under the directory: policies and the trust files they name. */
  static String of(Path dir) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(p -> !hidden(dir.relativize(p))).filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      all.writeBytes(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
      all.write(0);
      all.writeBytes(Sha256.hex(Files.readAllBytes(f)).getBytes(StandardCharsets.UTF_8));
    }
    return Sha256.hex(all.toByteArray());
  }

  /** A hash of the content of the trust directories {@code roots}; empty when there are none. */
  static String ofTrust(SortedSet<Path> roots) {
    if (roots.isEmpty()) {
      return "";
    }
    StringBuilder seen = new StringBuilder();
    for (Path root : roots) {
      seen.append(root).append('\0');
      try {
        seen.append(of(root));
      } catch (IOException e) {
        // Mid-swap of a Secret mount, or unreadable: compared again next tick.
        seen.append("unreadable:").append(e.getMessage());
      }
      seen.append('\n');
    }
    return Sha256.hex(seen.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
