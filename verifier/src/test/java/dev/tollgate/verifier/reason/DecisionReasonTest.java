package dev.tollgate.verifier.reason;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.report.CheckName;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalog of decision reasons against the contract: the decision schema's reason code pattern,
 * the decision examples in {@code schemas/examples}, and the verifier's own sources (no code as a
 * bare string outside the catalog).
 */
class DecisionReasonTest {
  private static final Path EXAMPLES = Path.of("..", "schemas", "examples");
  private static final Path SOURCES = Path.of("src", "main", "java", "dev", "tollgate", "verifier");

  @Test
  void codes_everyEntry_matchesTheSchemasReasonCodePattern() throws Exception {
    Pattern pattern = Pattern.compile(schemaReasonCodePattern());

    for (DecisionReason r : DecisionReason.values()) {
      assertThat(r.code()).matches(pattern);
    }
  }

  @Test
  void remediation_everyEntryButTheNotesOfAnAdmission_saysWhatToDo() {
    Set<DecisionReason> notes =
        Set.of(DecisionReason.BUNDLE_VERIFIED, DecisionReason.PIPELINE_RUN_EXISTS);

    for (DecisionReason r : DecisionReason.values()) {
      assertThat(r.remediation().isPresent()).as(r.code()).isEqualTo(!notes.contains(r));
      assertThat(r.reason("m").remediation()).isEqualTo(r.remediation().orElse(null));
    }
  }

  @Test
  void examples_everyDecisionReasonCode_isInTheCatalogOrACheckOfThatDecision() throws Exception {
    List<Path> examples = decisionExamples();
    assertThat(examples).isNotEmpty();

    for (Path example : examples) {
      JsonNode d = Json.readTree(Files.readAllBytes(example));
      Set<String> checkCodes = new HashSet<>();
      for (JsonNode c : d.path("verification").path("checks")) {
        checkCodes.add(c.path("code").asText());
        assertThat(CheckName.of(c.path("check").asText()))
            .as(example + ": check " + c.path("check"))
            .isPresent();
      }
      List<JsonNode> reasons = new ArrayList<>();
      d.path("reasons").forEach(reasons::add);
      d.path("violations").forEach(reasons::add);
      for (JsonNode r : reasons) {
        String code = r.path("code").asText();
        assertThat(DecisionReason.of(code).isPresent() || checkCodes.contains(code))
            .as(example + ": reason code " + code)
            .isTrue();
      }
    }
  }

  @Test
  void sources_outsideTheCatalog_noReasonCodeAsABareString() throws Exception {
    Set<String> codes = new HashSet<>();
    Arrays.stream(DecisionReason.values()).forEach(r -> codes.add(r.code()));
    Pattern literal = Pattern.compile("\"([A-Z][A-Z0-9_]{1,63})\"");
    List<String> found = new ArrayList<>();

    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = literal.matcher(Files.readString(f));
        while (m.find()) {
          if (codes.contains(m.group(1))) {
            found.add(SOURCES.relativize(f) + ": \"" + m.group(1) + "\"");
          }
        }
      }
    }

    assertThat(found).as("use DecisionReason instead").isEmpty();
  }

  @Test
  void of_unknownCode_empty() {
    assertThat(DecisionReason.of("NO_SUCH_CODE")).isEmpty();
    assertThat(DecisionReason.of("PARAM_UNBOUND")).contains(DecisionReason.PARAM_UNBOUND);
  }

  private static String schemaReasonCodePattern() throws Exception {
    try (InputStream in =
        DecisionReasonTest.class.getResourceAsStream(
            "/dev/tollgate/schemas/common.v1.schema.json")) {
      return Json.readTree(in.readAllBytes())
          .path("$defs")
          .path("reason")
          .path("properties")
          .path("code")
          .path("pattern")
          .asText();
    }
  }

  private static List<Path> decisionExamples() throws Exception {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files
          .filter(p -> p.getFileName().toString().matches("decision\\..*\\.json"))
          .sorted()
          .toList();
    }
  }
}
