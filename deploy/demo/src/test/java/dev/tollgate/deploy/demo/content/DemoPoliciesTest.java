package dev.tollgate.deploy.demo.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoPoliciesTest {
  private static final String HEX = "ab".repeat(32);
  private static final DemoContent.Pushed PUSHED =
      new DemoContent.Pushed(
          "127.0.0.1:8083/demo/hello-world-pipeline@sha256:" + HEX,
          "127.0.0.1:8083/demo/tampered-pipeline@sha256:" + HEX,
          "127.0.0.1:8083/demo/hello-world-task@sha256:" + HEX,
          "127.0.0.1:8083/demo/hello-world-step@sha256:" + HEX);

  @Test
  void write_demoContent_policiesNameTheBundlesByTagAndRequireNoVerifiedSender(@TempDir Path dir)
      throws IOException {
    DemoSigner release = DemoSigner.generate("demo-release");
    DemoSigner scanner = DemoSigner.generate("demo-scanner");

    DemoPolicies.write(dir, PUSHED, release, scanner);

    String admitted = Files.readString(dir.resolve("hello-world.yaml"));
    assertThat(admitted)
        .contains("repositories: ['octo-org/hello-world']")
        .contains("bundle: 127.0.0.1:8083/demo/hello-world-pipeline:v1\n")
        .contains("minPermission: none", "requireVerified: false")
        .contains("no verified sender identity")
        .contains("trust: {policyFile: trust/trust.yaml}");
    assertThat(Files.readString(dir.resolve("tampered.yaml")))
        .contains("repositories: ['octo-org/tampered']")
        .contains("bundle: 127.0.0.1:8083/demo/tampered-pipeline:v1\n");
    assertThat(Files.readString(dir.resolve("trust/trust.yaml")))
        .contains("{name: demo-release, publicKeyFile: release.pub}")
        .contains("{name: demo-scanner, publicKeyFile: scanner.pub}");
    assertThat(Files.readString(dir.resolve("trust/release.pub")))
        .isEqualTo(release.publicKeyPem())
        .isNotEqualTo(scanner.publicKeyPem());
  }

  @Test
  void write_again_replacesFilesAndLeavesNoPartialOnes(@TempDir Path dir) throws IOException {
    DemoPolicies.write(
        dir, PUSHED, DemoSigner.generate("demo-release"), DemoSigner.generate("demo-scanner"));
    DemoSigner release = DemoSigner.generate("demo-release");

    DemoPolicies.write(dir, PUSHED, release, DemoSigner.generate("demo-scanner"));

    assertThat(Files.readString(dir.resolve("trust/release.pub")))
        .isEqualTo(release.publicKeyPem());
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".next"));
    }
  }

  @Test
  void toString_signer_printsNameOnly() {
    DemoSigner signer = DemoSigner.generate("demo-release");

    assertThat(signer.toString()).isEqualTo("DemoSigner[demo-release]");
  }
}
