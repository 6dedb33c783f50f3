package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.signature.PublicKeys;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code target/tollgate-verify.jar} run as its own process, the way a platform engineer
 * runs it: no Quarkus, no test classpath, only what the jar ships (picocli, Jackson, sigstore-java,
 * CEL) against bundles in a real registry, key-based and keyless.
 */
@ExtendWith(RegistryExtension.class)
class VerifyBundleJarIT {
  static final Path JAR =
      Path.of(System.getProperty("tollgate.root"), "verifier", "target", "tollgate-verify.jar");
  static final String SUBJECT =
      "https://github.com/acme/pipelines/.github/workflows/release.yml@refs/heads/main";
  static final String ISSUER = "https://token.actions.githubusercontent.com";

  @TempDir static Path dir;
  static Path policy;

  @BeforeAll
  static void writePolicy(RegistryServer server) throws Exception {
    assertThat(JAR).as("run after package").exists();
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
            + "provenance:\n  conditions:\n    - name: chains\n"
            + "      expression: builderId == 'https://tekton.dev/chains/v2'\n",
        StandardCharsets.UTF_8);
  }

  @Test
  void jar_help_exitZero() throws Exception {
    Programs.Result r = run(List.of("--help"));

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("--policy").contains("--pipeline");
  }

  @Test
  void jar_signedBundleAsJson_exitZeroVerified() throws Exception {
    Pushed bundle = bundle("jar-ok", true);

    Programs.Result r =
        run(
            List.of(
                "--plain-http",
                BundleFixtures.registry.host(),
                "--policy",
                policy.toString(),
                "--pipeline",
                "release",
                "--output",
                "json",
                BundleFixtures.ref("jar-ok", bundle).toString()));

    assertThat(r.exitCode()).as(r.output()).isZero();
    JsonNode report = Json.readTree(r.output().getBytes(StandardCharsets.UTF_8));
    assertThat(report.path("verdict").asText()).isEqualTo("VERIFIED");
    assertThat(report.path("pinned").asText()).contains("@" + bundle.digest());
  }

  @Test
  void jar_unsignedBundle_exitOneWithReason() throws Exception {
    Pushed bundle = bundle("jar-unsigned", false);

    Programs.Result r =
        run(
            List.of(
                "--plain-http",
                BundleFixtures.registry.host(),
                "--policy",
                policy.toString(),
                BundleFixtures.ref("jar-unsigned", bundle).toString()));

    assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
    assertThat(r.output()).contains("SIGNATURE_MISSING");
  }

  @Test
  void jar_keylessBundleBySigstoreJs_exitZero() throws Exception {
    Prerequisites.requireSigstoreOffline();
    Pushed bundle = bundle("jar-keyless", false);
    Repository repo = BundleFixtures.PUSHED.get(bundle.digest());
    Files.write(dir.resolve("manifest.json"), bundle.bytes());
    Files.writeString(
        dir.resolve("spec.json"),
        "{\"out\":\"out\",\"identity\":{\"subject\":\""
            + SUBJECT
            + "\",\"issuer\":\""
            + ISSUER
            + "\"},\"items\":[{\"name\":\"bundle\",\"blob\":\"manifest.json\","
            + "\"signer\":\"keyless\"}]}",
        StandardCharsets.UTF_8);
    Programs.sigstoreSign(dir.resolve("spec.json"));
    new OciPusher("http", BundleFixtures.registry.host())
        .bundleReferrer(
            repo, bundle, List.of(Files.readAllBytes(dir.resolve("out/bundle.sigstore.json"))));
    Path keyless = dir.resolve("keyless.yaml");
    Files.writeString(
        keyless,
        "bundleSigners:\n  trustedRoot: out/trusted_root.json\n  identities:\n"
            + "    - {name: release-workflow, subject: '"
            + SUBJECT
            + "', issuer: '"
            + ISSUER
            + "'}\n"
            + "attestationSigners:\n  keys:\n    - {name: scanner, publicKeyFile: scanner.pub}\n",
        StandardCharsets.UTF_8);

    Programs.Result r =
        run(
            List.of(
                "--plain-http",
                BundleFixtures.registry.host(),
                "--policy",
                keyless.toString(),
                BundleFixtures.ref("jar-keyless", bundle).toString()));

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("release-workflow");
  }

  private static Pushed bundle(String name, boolean signed) {
    String image =
        BundleFixtures.attestedImage(
            BundleFixtures.scan(Instant.now()),
            BundleFixtures.provenanceV1(BundleFixtures.BUILDER));
    return BundleFixtures.pushBundle(
        name,
        List.of(
            BundleFixtures.pipeline(
                "release", BundleFixtures.embeddedTask("t", image, BundleFixtures.secure()))),
        signed);
  }

  private static Programs.Result run(List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.addAll(args);
    return Programs.run(dir, cmd);
  }
}
