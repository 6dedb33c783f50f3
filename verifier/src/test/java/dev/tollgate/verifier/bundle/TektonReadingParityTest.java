package dev.tollgate.verifier.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier reads every bundle document and layer archive as Tekton does, or refuses it. The
 * reference is the real thing: Go's {@code sigs.k8s.io/yaml.YAMLToJSON} and {@code archive/tar},
 * built offline from Debian's packages. For every fixture, either our reading equals Go's, or we
 * refuse; benign fixtures must be read (and equal), hostile ones refused.
 */
class TektonReadingParityTest {
  private static final Path FIXTURES = Path.of("src/test/resources/tekton-reading");
  // A build cache under target/ keeps the standard library compiled between runs.
  private static final Path GO_CACHE = Path.of("target/go-cache").toAbsolutePath();

  @TempDir static Path work;
  private static Path yamlToJson;
  private static Path tarFirst;

  @BeforeAll
  static void buildGoPrograms() throws IOException {
    Prerequisites.requireGo();
    yamlToJson = build("yamltojson.go");
    tarFirst = build("tarfirst.go");
  }

  static Stream<Path> yamlFixtures() throws IOException {
    return list(FIXTURES.resolve("yaml"));
  }

  static Stream<Path> tarFixtures() throws IOException {
    return list(FIXTURES.resolve("tar")).filter(p -> p.toString().endsWith(".tar"));
  }

  @ParameterizedTest
  @MethodSource("yamlFixtures")
  void read_yamlFixture_equalsGoOrRefused(Path fixture) throws IOException {
    byte[] document = Files.readAllBytes(fixture);
    GoResult go = run(yamlToJson, document);
    JsonNode ours;
    try {
      ours = TektonYaml.read(document);
    } catch (TektonYaml.Refused refused) {
      assertThat(name(fixture)).as(refused.getMessage()).startsWith("hostile-");
      return;
    }
    assertThat(name(fixture)).as("a hostile fixture is refused").startsWith("benign-");
    assertThat(go.ok()).as("Go reads what we read: " + go.output()).isTrue();
    JsonNode theirs = Json.mapper().readTree(go.output());
    assertThat(equivalent(ours, theirs)).as("ours " + ours + "\nGo's " + theirs).isTrue();
  }

  @Test
  void read_veryLargeDocument_equalsGo() throws IOException {
    StringBuilder doc = new StringBuilder("apiVersion: tekton.dev/v1\nkind: Task\n");
    doc.append("metadata: {name: large}\nspec:\n  steps:\n");
    for (int i = 0; doc.length() < 3 * 1024 * 1024; i++) {
      doc.append("    - name: s")
          .append(i)
          .append("\n      image: \"x@sha256:")
          .append("e".repeat(64))
          .append("\"\n      args: [\"-n\", ")
          .append(i)
          .append(", 'q: ")
          .append(i)
          .append("']\n      script: |\n        echo ")
          .append(i)
          .append('\n');
    }
    byte[] document = doc.toString().getBytes(StandardCharsets.UTF_8);

    JsonNode ours = assertDoesNotRefuse(document);
    GoResult go = run(yamlToJson, document);

    assertThat(go.ok()).as(go.output()).isTrue();
    assertThat(equivalent(ours, Json.mapper().readTree(go.output()))).isTrue();
  }

  @Test
  void read_beyondTheSizeLimit_refused() {
    byte[] document =
        ("a: \"" + "x".repeat(Yaml.MAX_DOCUMENT_CODE_POINTS) + "\"\n")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> TektonYaml.read(document)).isInstanceOf(TektonYaml.Refused.class);
  }

  @ParameterizedTest
  @MethodSource("tarFixtures")
  void singleFileOrRaw_tarFixture_equalsGoOrRefused(Path fixture) throws IOException {
    byte[] layer = Files.readAllBytes(fixture);
    GoResult go = run(tarFirst, layer);
    byte[] ours;
    try {
      ours = LayerArchive.singleFileOrRaw(layer, Yaml.MAX_DOCUMENT_CODE_POINTS, Map.of());
    } catch (BundleException refused) {
      assertThat(refused.reason()).isEqualTo(BundleReason.LAYER_ARCHIVE_UNSUPPORTED);
      assertThat(name(fixture)).as(refused.getMessage()).startsWith("hostile-");
      return;
    }
    assertThat(name(fixture)).as("a hostile archive is refused").startsWith("benign-");
    assertThat(go.ok()).as(go.output()).isTrue();
    assertThat(ours).isEqualTo(Base64.getDecoder().decode(go.output().trim()));
  }

  @Test
  void singleFileOrRaw_rawDocument_readAsTektonFallsBackToIt() throws Exception {
    byte[] raw = Files.readAllBytes(FIXTURES.resolve("yaml/benign-task.yaml"));

    GoResult go = run(tarFirst, raw);

    assertThat(go.ok()).as("Go does not read it as a tar either").isFalse();
    assertThat(LayerArchive.singleFileOrRaw(raw, Yaml.MAX_DOCUMENT_CODE_POINTS, Map.of()))
        .isEqualTo(raw);
  }

  @Test
  void equivalent_differentTrees_false() throws IOException {
    JsonNode one = Json.mapper().readTree("{\"a\": [1, true, \"x\"]}");

    assertThat(equivalent(one, Json.mapper().readTree("{\"a\": [1.0, true, \"x\"]}"))).isTrue();
    assertThat(equivalent(one, Json.mapper().readTree("{\"a\": [2, true, \"x\"]}"))).isFalse();
    assertThat(equivalent(one, Json.mapper().readTree("{\"a\": [1, \"yes\", \"x\"]}"))).isFalse();
    assertThat(equivalent(one, Json.mapper().readTree("{\"a\": [1, true]}"))).isFalse();
    assertThat(equivalent(one, Json.mapper().readTree("{\"b\": [1, true, \"x\"]}"))).isFalse();
  }

  private static JsonNode assertDoesNotRefuse(byte[] document) {
    try {
      return TektonYaml.read(document);
    } catch (TektonYaml.Refused e) {
      throw new AssertionError("refused: " + e.getMessage(), e);
    }
  }

  /** Equal trees, numbers compared by value (Go prints 1.0 as 1). */
  static boolean equivalent(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<String> names = a.fieldNames();
      while (names.hasNext()) {
        String n = names.next();
        if (!b.has(n) || !equivalent(a.get(n), b.get(n))) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equivalent(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private record GoResult(boolean ok, String output) {}

  private static GoResult run(Path program, byte[] input) throws IOException {
    Path in = Files.createTempFile(work, "in", ".bin");
    Path out = Files.createTempFile(work, "out", ".txt");
    Files.write(in, input);
    Process p =
        new ProcessBuilder(program.toString())
            .redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + program);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    return new GoResult(p.exitValue() == 0, output);
  }

  private static Path build(String source) throws IOException {
    Path binary = work.resolve(source.replace(".go", ""));
    List<String> command = new ArrayList<>();
    command.add("env");
    command.add("GO111MODULE=off");
    command.add("GOPATH=" + Prerequisites.GOPATH);
    command.add("GOCACHE=" + GO_CACHE);
    command.add("GOFLAGS=");
    command.add("GOPROXY=off");
    command.add("go");
    command.add("build");
    command.add("-o");
    command.add(binary.toString());
    command.add(FIXTURES.resolve(source).toAbsolutePath().toString());
    Programs.check(work, command);
    return binary;
  }

  private static Stream<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList().stream();
    }
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }
}
