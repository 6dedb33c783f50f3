package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The auditor's run lines state the run watch's resolution check. */
class RunResolutionLineTest {

  private static final String RUN =
      "{\"seq\":7,\"kind\":\"run\",\"time\":\"2026-11-22T09:31:12Z\",\"eventId\":"
          + "\"run:u-1:started:resolution-mismatch\",\"links\":{\"runUid\":\"u-1\"},"
          + "\"payload\":{\"runUid\":\"u-1\",\"kind\":\"PipelineRun\",\"namespace\":\"t\","
          + "\"name\":\"tg-1\",\"phase\":\"started\",\"admitted\":false,\"resolution\":{"
          + "\"result\":\"mismatch\",\"digest\":\"sha256:"
          + "b".repeat(64)
          + "\",\"admittedDigests\":[\"sha256:"
          + "a".repeat(64)
          + "\"],\"why\":\"Tekton resolved another digest\"}}}";

  @Test
  void summary_runWithMismatchingResolution_namesResultDigestAndWhy() {
    String line = ProvenanceCommand.summary(RUN.getBytes(StandardCharsets.UTF_8));

    assertThat(line)
        .contains("admitted=false")
        .contains("resolution=mismatch resolved=sha256:" + "b".repeat(64))
        .contains("(Tekton resolved another digest)");
  }

  @Test
  void summary_runWithoutResolution_saysNothingAboutIt() {
    String line =
        ProvenanceCommand.summary(
            RUN.replaceFirst(",\"resolution\":\\{.*\\}\\}\\}$", "}}")
                .getBytes(StandardCharsets.UTF_8));

    assertThat(line).contains("admitted=false").doesNotContain("resolution=");
  }

  @Test
  void line_runWithResolution_statesAdmissionAndResult() throws Exception {
    String line = ReplayCommand.line(Json.readTree(RUN.getBytes(StandardCharsets.UTF_8)));

    assertThat(line).contains("admitted=false").contains("resolution=mismatch");
  }
}
