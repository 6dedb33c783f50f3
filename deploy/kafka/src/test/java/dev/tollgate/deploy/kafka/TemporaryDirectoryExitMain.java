package dev.tollgate.deploy.kafka;

import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * The child JVM of {@link TemporaryDirectoryTest}: creates a temporary directory with a file and a
 * user, prints the path, and exits without closing either.
 */
final class TemporaryDirectoryExitMain {

  private TemporaryDirectoryExitMain() {}

  @SuppressForbidden("a child process reports to its parent test on stdout")
  public static void main(String[] args) throws IOException {
    TemporaryDirectory dir = TemporaryDirectory.create("tollgate-test-exit-");
    Files.writeString(dir.path().resolve("key.pem"), "secret", StandardCharsets.US_ASCII);
    dir.closeFirstAtExit(
        () ->
            System.out.println(
                "user closed; directory still there: "
                    + Files.exists(dir.path().resolve("key.pem"))));
    System.out.println(dir.path());
    System.out.flush();
  }
}
