package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.cli.VerifyBundleCommand;
import dev.tollgate.verifier.signature.PublicKeys;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The verify-bundle command's exit codes and outputs, against the real registry. */
@ExtendWith(RegistryExtension.class)
class VerifyBundleCommandTest {
  @TempDir static Path dir;
  static Path policy;

  @BeforeAll
  static void writePolicy(RegistryServer server) throws Exception {
    BundleFixtures.start(server);
    Files.writeString(
        dir.resolve("release.pub"), PublicKeys.toPem(BundleFixtures.bundleKey.getPublic()));
    Files.writeString(
        dir.resolve("scanner.pub"), PublicKeys.toPem(BundleFixtures.scannerKey.getPublic()));
    policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy,
        "bundleSigners:\n  keys:\n    - {name: release, publicKeyFile: release.pub}\n"
            + "attestationSigners:\n  keys:\n    - {name: scanner, publicKeyFile: scanner.pub}\n"
            + "vulnerabilities:\n  maxAge: P3650D\n"
            + "provenance:\n  conditions:\n    - name: chains\n      expression: builderId == 'https://tekton.dev/chains/v2'\n",
        StandardCharsets.UTF_8);
  }

  @Test
  void run_verifiedBundleAsJson_exitZero() throws Exception {
    String image =
        BundleFixtures.attestedImage(
            BundleFixtures.scan(Instant.now()),
            BundleFixtures.provenanceV1(BundleFixtures.BUILDER));
    Pushed bundle =
        BundleFixtures.pushBundle(
            "cli-ok",
            List.of(
                BundleFixtures.pipeline(
                    "p", BundleFixtures.embeddedTask("t", image, BundleFixtures.secure()))),
            true);
    StringWriter out = new StringWriter();

    int code =
        run(
            out,
            "--plain-http",
            BundleFixtures.registry.host(),
            "--policy",
            policy.toString(),
            "--output",
            "json",
            BundleFixtures.ref("cli-ok", bundle).toString());

    assertThat(code).as(out.toString()).isEqualTo(VerifyBundleCommand.VERIFIED);
    assertThat(
            Json.readTree(out.toString().getBytes(StandardCharsets.UTF_8)).path("verdict").asText())
        .isEqualTo("VERIFIED");
  }

  @Test
  void run_unsignedBundle_exitOneWithReason() throws Exception {
    String image =
        BundleFixtures.attestedImage(
            BundleFixtures.scan(Instant.now()),
            BundleFixtures.provenanceV1(BundleFixtures.BUILDER));
    Pushed bundle =
        BundleFixtures.pushBundle(
            "cli-denied",
            List.of(
                BundleFixtures.pipeline(
                    "p", BundleFixtures.embeddedTask("t", image, BundleFixtures.secure()))),
            false);
    StringWriter out = new StringWriter();

    int code =
        run(
            out,
            "--plain-http",
            BundleFixtures.registry.host(),
            "--policy",
            policy.toString(),
            BundleFixtures.ref("cli-denied", bundle).toString());

    assertThat(code).isEqualTo(VerifyBundleCommand.DENIED);
    assertThat(out.toString()).contains("SIGNATURE_MISSING").contains("what to do:");
  }

  @Test
  void run_pipelineNotInBundle_exitOneWithReason() throws Exception {
    Pushed bundle = cleanBundle("cli-pipeline");
    StringWriter out = new StringWriter();

    int code =
        run(
            out,
            "--plain-http",
            BundleFixtures.registry.host(),
            "--policy",
            policy.toString(),
            "--pipeline",
            "deploy",
            BundleFixtures.ref("cli-pipeline", bundle).toString());

    assertThat(code).as(out.toString()).isEqualTo(VerifyBundleCommand.DENIED);
    assertThat(out.toString()).contains("RESOURCE_NOT_FOUND").contains("'deploy'");
  }

  @Test
  void run_policyRequiresBundleScan_unattestedBundleExitOne() throws Exception {
    Path strict = dir.resolve("bundle-scan.yaml");
    Files.writeString(
        strict,
        Files.readString(policy, StandardCharsets.UTF_8)
            + "bundleAttestations:\n  requireScan: true\n",
        StandardCharsets.UTF_8);
    Pushed bundle = cleanBundle("cli-bundle-scan");
    StringWriter out = new StringWriter();

    int code =
        run(
            out,
            "--plain-http",
            BundleFixtures.registry.host(),
            "--policy",
            strict.toString(),
            "--output",
            "json",
            BundleFixtures.ref("cli-bundle-scan", bundle).toString());

    assertThat(code).as(out.toString()).isEqualTo(VerifyBundleCommand.DENIED);
    assertThat(
            Json.readTree(out.toString().getBytes(StandardCharsets.UTF_8))
                .path("checks")
                .findValuesAsText("code"))
        .contains("SCAN_MISSING");
  }

  private static Pushed cleanBundle(String name) {
    String image =
        BundleFixtures.attestedImage(
            BundleFixtures.scan(Instant.now()),
            BundleFixtures.provenanceV1(BundleFixtures.BUILDER));
    return BundleFixtures.pushBundle(
        name,
        List.of(
            BundleFixtures.pipeline(
                "release", BundleFixtures.embeddedTask("t", image, BundleFixtures.secure()))),
        true);
  }

  @Test
  void run_unreachableRegistry_exitThree() {
    int code =
        run(
            new StringWriter(),
            "--plain-http",
            "127.0.0.1:1",
            "--policy",
            policy.toString(),
            "127.0.0.1:1/acme/bundle:v1");

    assertThat(code).isEqualTo(VerifyBundleCommand.TRANSIENT);
  }

  @Test
  void run_policyWithUnknownKey_exitTwo() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "bundleSigners:\n  keys: []\nstepz: {}\n", StandardCharsets.UTF_8);
    StringWriter err = new StringWriter();

    int code =
        VerifyBundleCommand.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            "--policy",
            bad.toString(),
            "r.example/a:v1");

    assertThat(code).isEqualTo(VerifyBundleCommand.USAGE);
    assertThat(err.toString()).contains("stepz");
  }

  @Test
  void run_lookupThreadsZero_exitTwoBeforeAnyLookup() {
    StringWriter err = new StringWriter();

    int code =
        VerifyBundleCommand.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            "--policy",
            policy.toString(),
            "--lookup-threads",
            "0",
            "127.0.0.1:1/acme/bundle:v1");

    assertThat(code).isEqualTo(VerifyBundleCommand.USAGE);
    assertThat(err.toString()).contains("--lookup-threads");
  }

  @Test
  void run_missingPolicyOption_exitTwo() {
    assertThat(run(new StringWriter(), "r.example/a:v1")).isEqualTo(VerifyBundleCommand.USAGE);
  }

  private static int run(StringWriter out, String... args) {
    return VerifyBundleCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args);
  }
}
