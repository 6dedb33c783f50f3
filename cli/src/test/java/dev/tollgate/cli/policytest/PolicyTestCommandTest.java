package dev.tollgate.cli.policytest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate policy test} over src/test/resources/policy-test: the policy {@code release},
 * three fixture triggers, a manifest whose expectations hold and one whose do not.
 */
class PolicyTestCommandTest {

  private static final Path DIR = Run.resource("policy-test");

  @TempDir Path tmp;

  @Test
  void policyTest_expectationsHold_exitsZeroAndSaysNoRegistryWasContacted() {
    Run run = Run.of("policy", "test", DIR.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("PASS   push-to-main-admitted")
        .contains("admitted by release [BUNDLE_VERIFIED]")
        .contains("PASS   unsigned-bundle-denied")
        .contains("denied by release [SIGNATURE_MISSING]")
        .contains("PASS   read-only-sender-denied-before-any-registry")
        .contains("PASS   unrelated-repository-ignored")
        .contains("4 tests: 4 passed, 0 failed, 0 not decided")
        .contains("no registry was contacted");
  }

  @Test
  void policyTest_expectationsDiffer_exitsOneNamingEachDifference() {
    Run run = Run.of("policy", "test", DIR.resolve("failing-test.yaml").toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out())
        .contains("FAIL   unsigned-bundle-expected-admitted")
        .contains("outcome: expected admitted, got denied")
        .contains("reasons: expected [BUNDLE_VERIFIED], got [SIGNATURE_MISSING]")
        .contains("ERROR  verification-not-declared")
        .contains("the test declares none")
        .contains("PASS   unrelated-repository-ignored")
        .contains("3 tests: 1 passed, 1 failed, 1 not decided");
  }

  @Test
  void policyTest_jsonOutput_carriesEachDecisionAndTheSummary() throws Exception {
    Run run = Run.of("policy", "test", "--output", "json", DIR.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    JsonNode json = Json.readTree(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(json.path("summary").path("passed").asInt()).isEqualTo(4);
    assertThat(json.path("summary").path("failed").asInt()).isZero();
    JsonNode admitted = json.path("tests").get(0);
    assertThat(admitted.path("result").asText()).isEqualTo("pass");
    assertThat(admitted.path("verificationAsked").asBoolean()).isTrue();
    assertThat(admitted.path("actual").path("pinnedBundle").asText())
        .isEqualTo("registry.example/acme/pipelines@sha256:" + "a".repeat(64));
    JsonNode denied = json.path("tests").get(1).path("actual").path("reasons").get(0);
    assertThat(denied.path("code").asText()).isEqualTo("SIGNATURE_MISSING");
    assertThat(denied.path("remediation").asText()).contains("cosign sign");
    JsonNode readOnly = json.path("tests").get(2);
    assertThat(readOnly.path("verificationAsked").asBoolean()).isFalse();
  }

  @Test
  void policyTest_failingJsonOutput_exitsOneWithTheProblems() throws Exception {
    Run run = Run.of("policy", "test", "-o", "JSON", DIR.resolve("failing-test.yaml").toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    JsonNode json = Json.readTree(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(json.path("tests").get(0).path("result").asText()).isEqualTo("fail");
    assertThat(json.path("tests").get(1).path("result").asText()).isEqualTo("error");
    assertThat(json.path("summary").path("errors").asInt()).isEqualTo(1);
  }

  @Test
  void policyTest_noManifest_exitsTwo() {
    Run run = Run.of("policy", "test", tmp.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("no test manifest").contains("tollgate-test.yaml");
  }

  @Test
  void policyTest_unknownKeyInManifest_exitsTwoNamingIt() throws Exception {
    Path manifest =
        copyWith(
            "  - name: push-to-main-admitted\n",
            "  - name: push-to-main-admitted\n    expected: {outcome: admitted}\n");

    Run run = Run.of("policy", "test", manifest.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("tests[0].expected: unknown key");
  }

  @Test
  void policyTest_checkCodeNoCatalogHolds_exitsTwo() throws Exception {
    Path manifest = copyWith("code: SIGNATURE_MISSING}", "code: SIGNATURE_MISING}");

    Run run = Run.of("policy", "test", manifest.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("no catalog of the verifier holds code SIGNATURE_MISING");
  }

  @Test
  void policyTest_policyDoesNotRead_exitsTwoNamingTheField() throws Exception {
    Path manifest = copyWith("policies: [policies/release.yaml]", "policies: [bad.yaml]");
    Files.writeString(
        tmp.resolve("bad.yaml"),
        Files.readString(DIR.resolve("policies/release.yaml"))
            .replace("mode: enforce", "mode: sometimes")
            .replace("../trust/trust.yaml", DIR.resolve("trust/trust.yaml").toString()));

    Run run = Run.of("policy", "test", manifest.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("bad.yaml").contains("spec.mode");
  }

  @Test
  void policyTest_resolvedBundleWithoutDeclaredDigest_isNotDecidedAndExitsOne() throws Exception {
    Path manifest =
        copyWith(
            "      pinned: registry.example/acme/pipelines@sha256:"
                + "a".repeat(64)
                + "\n      checks:\n        - {check: bundle.resolve, outcome: passed}\n"
                + "        - {check: bundle.signature, outcome: passed}",
            "      checks:\n        - {check: bundle.resolve, outcome: passed}\n"
                + "        - {check: bundle.signature, outcome: passed}");

    Run run = Run.of("policy", "test", manifest.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out())
        .contains("ERROR  push-to-main-admitted")
        .contains("declare pinned: with the digest it resolved to");
  }

  /** The passing manifest with one text replaced, in the temporary directory beside copies. */
  private Path copyWith(String text, String replacement) throws Exception {
    String manifest = Files.readString(DIR.resolve("tollgate-test.yaml"));
    assertThat(manifest).contains(text);
    String absolute =
        manifest
            .replace(text, replacement)
            .replace("triggers/", DIR.resolve("triggers").toString() + "/")
            .replace("[policies/", "[" + DIR.resolve("policies").toString() + "/");
    Path file = tmp.resolve("tollgate-test.yaml");
    Files.writeString(file, absolute);
    return file;
  }
}
