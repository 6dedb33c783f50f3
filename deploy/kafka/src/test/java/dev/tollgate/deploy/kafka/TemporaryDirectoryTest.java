package dev.tollgate.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TemporaryDirectoryTest {

  @Test
  void create_posixFilesystem_ownerOnly() throws Exception {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
    try (TemporaryDirectory dir = TemporaryDirectory.create("tollgate-test-")) {
      assertThat(dir.path().getFileName().toString()).startsWith("tollgate-test-");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path())))
          .isEqualTo("rwx------");
    }
  }

  @Test
  void close_withNestedFiles_deletesEverythingAndTwiceIsHarmless() throws Exception {
    TemporaryDirectory dir = TemporaryDirectory.create("tollgate-test-");
    Path nested = Files.createDirectories(dir.path().resolve("a/b"));
    Files.writeString(nested.resolve("key.pem"), "secret", StandardCharsets.US_ASCII);

    dir.close();
    dir.close();

    assertThat(dir.path()).doesNotExist();
  }

  @Test
  void jvmExit_neverClosed_usersClosedFirstThenDirectoryDeleted() throws Exception {
    Path classes =
        Path.of(
            TemporaryDirectory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path testClasses =
        Path.of(
            TemporaryDirectoryExitMain.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classes + java.io.File.pathSeparator + testClasses,
                TemporaryDirectoryExitMain.class.getName())
            .redirectErrorStream(true)
            .start();
    String output;
    try (var out = child.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child JVM exits").isTrue();
    assertThat(child.exitValue()).as(output).isZero();

    String[] lines = output.strip().split("\n");
    assertThat(lines).as(output).hasSize(2);
    Path dir = Path.of(lines[0]);
    assertThat(lines[1]).isEqualTo("user closed; directory still there: true");
    assertThat(dir).as("deleted at exit").doesNotExist();
  }
}
