package dev.tollgate.verifier.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.event.TriggerEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TriggerPolicy files: the format, its strict defaults, and errors that name file, field, why. */
class PolicyReaderTest {
  private static final String PEM =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWHbSaJZxP4wJ+5wHb0ZlOBmUMKy+\n"
          + "dfhkKDhkxlT/yUWzBdX5hM40rs5cBsx0h3D8x8kO+iqeTl3rYqZ5XlM2Nw==\n"
          + "-----END PUBLIC KEY-----\n";

  @TempDir Path dir;

  private Path write(String name, String spec) throws Exception {
    Files.createDirectories(dir.resolve("trust"));
    Files.writeString(dir.resolve("trust/k.pub"), PEM);
    Files.writeString(
        dir.resolve("trust/trust.yaml"),
        "bundleSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n"
            + "attestationSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n");
    Path f = dir.resolve(name);
    Files.writeString(
        f,
        "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: p}\nspec:\n"
            + spec);
    return f;
  }

  private static final String VALID =
      "  match:\n"
          + "    repositories: ['acme/*']\n"
          + "    events: [push]\n"
          + "    branches: [main, 'release/**']\n"
          + "    condition: \"trigger.sender.login != 'bot'\"\n"
          + "  run:\n"
          + "    bundle: registry.example/acme/pipelines:v1\n"
          + "    pipeline: release\n"
          + "    namespace: team-acme\n"
          + "    params: {revision: $(trigger.headSha)}\n"
          + "    timeout: PT1H\n"
          + "  trust: {policyFile: trust/trust.yaml}\n";

  @Test
  void read_minimalPolicy_strictDefaults() throws Exception {
    TriggerPolicy p = PolicyReader.read(write("p.yaml", VALID));

    assertThat(p.name()).isEqualTo("p");
    assertThat(p.mode()).isEqualTo(TriggerPolicy.Mode.ENFORCE);
    assertThat(p.sender().minPermission()).isEqualTo(TriggerEvent.Permission.WRITE);
    assertThat(p.sender().requireVerified()).isTrue();
    assertThat(p.sender().forkPullRequests()).isEqualTo(TriggerPolicy.ForkRule.OK_TO_TEST);
    assertThat(p.run().timeout()).contains(Duration.ofHours(1));
    assertThat(p.version()).matches("sha256:[0-9a-f]{16}");
  }

  @Test
  void read_unknownKey_namesFieldAndAllowedKeys() throws Exception {
    Path f = write("p.yaml", VALID + "  mood: audit\n");

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class,
            e -> {
              assertThat(e.file()).isEqualTo(f.toString());
              assertThat(e.field()).isEqualTo("spec.mood");
              assertThat(e.why()).contains("unknown key", "mode");
            });
  }

  @Test
  void read_celConditionNotBoolean_namesCondition() throws Exception {
    Path f = write("p.yaml", VALID.replace("trigger.sender.login != 'bot'", "trigger.event + 'x'"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class, e -> assertThat(e.field()).isEqualTo("spec.match.condition"));
  }

  @Test
  void read_bundleBoundFromTrigger_rejected() throws Exception {
    Path f = write("p.yaml", VALID.replace("registry.example/acme/pipelines:v1", "$(body.image)"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class, e -> assertThat(e.field()).isEqualTo("spec.run.bundle"));
  }

  @Test
  void read_unknownPlaceholder_rejected() throws Exception {
    Path f = write("p.yaml", VALID.replace("$(trigger.headSha)", "$(env.HOME)"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("spec.run.params.revision"));
  }

  @Test
  void read_paramWithPattern_patternKeptForTheParameter() throws Exception {
    TriggerPolicy p =
        PolicyReader.read(
            write(
                "p.yaml",
                VALID.replace(
                    "params: {revision: $(trigger.headSha)}",
                    "params: {revision: {value: $(trigger.headSha), pattern: '[0-9a-f]{40}'}}")));

    assertThat(p.run().params()).containsEntry("revision", "$(trigger.headSha)");
    assertThat(p.run().paramPatterns().get("revision").matches("a".repeat(40))).isTrue();
    assertThat(p.run().paramPatterns().get("revision").matches("a".repeat(40) + "\n")).isFalse();
    assertThat(p.run().paramPatterns().get("revision").matches("x" + "a".repeat(40))).isFalse();
  }

  @Test
  void read_patternWithBacktrackingConstruct_rejectedNamingThePattern() throws Exception {
    // RE2 has neither backreferences nor lookaround: what could backtrack is not a pattern.
    for (String pattern : new String[] {"(a+)\\1", "(?=main)[a-z]+", "(?<!x)y", "[a-"}) {
      Path f =
          write(
              "p.yaml",
              VALID.replace(
                  "params: {revision: $(trigger.headSha)}",
                  "params: {revision: {value: $(trigger.headSha), pattern: '" + pattern + "'}}"));

      assertThatThrownBy(() -> PolicyReader.read(f))
          .as(pattern)
          .isInstanceOfSatisfying(
              PolicyException.class,
              e -> {
                assertThat(e.field()).isEqualTo("spec.run.params.revision.pattern");
                assertThat(e.why()).contains("not an RE2 regular expression");
              });
    }
  }

  @Test
  void read_patternTooLong_rejected() throws Exception {
    Path f =
        write(
            "p.yaml",
            VALID.replace(
                "params: {revision: $(trigger.headSha)}",
                "params: {revision: {value: $(trigger.headSha), pattern: '"
                    + "a".repeat(ValuePattern.MAX_LENGTH + 1)
                    + "'}}"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("spec.run.params.revision.pattern"));
  }

  @Test
  void read_paramObjectWithUnknownKey_rejected() throws Exception {
    Path f =
        write(
            "p.yaml",
            VALID.replace(
                "params: {revision: $(trigger.headSha)}",
                "params: {revision: {value: $(trigger.headSha), patern: '[a-f0-9]+'}}"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class, e -> assertThat(e.why()).contains("unknown key"));
  }

  @Test
  void read_paramObjectWithUnknownPlaceholder_namesTheValue() throws Exception {
    Path f =
        write(
            "p.yaml",
            VALID.replace(
                "params: {revision: $(trigger.headSha)}",
                "params: {revision: {value: $(env.HOME), pattern: '.*'}}"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("spec.run.params.revision.value"));
  }

  @Test
  void read_missingTrustFile_namesTrustField() throws Exception {
    Path f = write("p.yaml", VALID.replace("trust/trust.yaml", "trust/nope.yaml"));

    assertThatThrownBy(() -> PolicyReader.read(f))
        .isInstanceOfSatisfying(
            PolicyException.class, e -> assertThat(e.field()).isEqualTo("spec.trust.policyFile"));
  }

  @Test
  void reload_invalidFileAdded_previousSetStaysAndErrorIsKept() throws Exception {
    write("a.yaml", VALID);
    PolicySet set = new PolicySet(Optional.of(dir), Duration.ofSeconds(1));
    assertThat(set.reload()).isTrue();
    Files.writeString(dir.resolve("b.yaml"), "kind: [");

    boolean taken = set.reload();

    assertThat(taken).isFalse();
    assertThat(set.policies()).extracting(TriggerPolicy::name).containsExactly("p");
    assertThat(set.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.file()).endsWith("b.yaml"));
  }

  @Test
  void reload_noDirectory_emptyAndNothingMatches() {
    PolicySet set = new PolicySet(Optional.empty(), Duration.ofSeconds(1));

    assertThat(set.reload()).isFalse();
    assertThat(set.policies()).isEmpty();
  }
}
