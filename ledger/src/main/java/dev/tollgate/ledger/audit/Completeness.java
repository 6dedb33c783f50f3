package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.checkpoint.SourceGap;
import dev.tollgate.ledger.topic.SourceGapProbe;
import dev.tollgate.schemas.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code verify} says about the source offsets once the chain verified: which ranges the
 * checkpoints account for, and every offset nothing in the ledger explains. From the ledger alone
 * such a gap is unexplained and fails the verification; with the source topic ({@code
 * --check-sources}) a gap where the broker holds no committed data record (transaction markers,
 * aborted records) is explained, one that holds data records names skipped events, and one below
 * the log start can no longer be proven.
 */
final class Completeness {

  private final SourceAccounting sources;
  private final boolean checked;
  private final List<SourceGapProbe.Finding> findings;
  private final int maxGaps;

  Completeness(
      SourceAccounting sources,
      boolean checked,
      List<SourceGapProbe.Finding> findings,
      int maxGaps) {
    this.sources = sources;
    this.checked = checked;
    this.findings = List.copyOf(findings);
    this.maxGaps = Math.max(0, maxGaps);
  }

  /** Whether every accounted source offset is explained. */
  boolean complete() {
    if (sources.gapCount() == 0) {
      return true;
    }
    if (!checked || findings.size() < sources.gapCount()) {
      return false;
    }
    return findings.stream().allMatch(f -> f instanceof SourceGapProbe.NoDataRecord);
  }

  /** The report, one line each, after the verification's OK line. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    if (sources.statedFromSeq().isEmpty()) {
      lines.add(
          "SOURCES: no checkpoint states source offset ranges (an empty ledger, or one written"
              + " before source accounting): completeness is not proven");
      return lines;
    } else {
      StringBuilder ranges = new StringBuilder();
      for (Map.Entry<SourceAccounting.Partition, long[]> range : sources.accounted().entrySet()) {
        ranges.append(ranges.isEmpty() ? " " : ", ").append(range.getKey()).append(" offsets ");
        ranges.append(range.getValue()[0]).append("..").append(range.getValue()[1] - 1);
      }
      lines.add(
          "SOURCES: accounted from the checkpoint at seq "
              + sources.statedFromSeq().get()
              + ":"
              + ranges);
    }
    int uncovered = sources.uncovered().values().stream().mapToInt(Integer::intValue).sum();
    if (uncovered > 0) {
      lines.add(
          "SOURCES: "
              + uncovered
              + " record(s) after the last checkpoint are not covered by a checkpoint yet");
    }
    int shown = 0;
    if (checked) {
      for (SourceGapProbe.Finding finding : findings) {
        if (shown++ >= maxGaps) {
          break;
        }
        lines.add(line(finding));
      }
    } else {
      for (SourceGap gap : sources.gaps()) {
        if (shown++ >= maxGaps) {
          break;
        }
        lines.add("GAP: " + gap.describe() + ": no record and no stated duplicate explains it");
      }
    }
    if (sources.gapCount() > maxGaps) {
      lines.add("... " + (sources.gapCount() - maxGaps) + " more gap(s) (--max-gaps)");
    }
    lines.add(summary());
    return lines;
  }

  private String summary() {
    if (sources.gapCount() == 0) {
      return "COMPLETE: every source offset in the accounted ranges is recorded or a stated"
          + " duplicate";
    }
    String counted =
        sources.gapOffsets() + " source offset(s) in " + sources.gapCount() + " gap(s)";
    if (!checked) {
      return "INCOMPLETE: "
          + counted
          + " are explained by no record. From the ledger alone they are either transaction"
          + " markers or aborted records, or events the writer skipped; run verify"
          + " --check-sources with read access to the source topics to tell which";
    }
    if (complete()) {
      return "COMPLETE: "
          + counted
          + " hold no committed data record in the source topics (transaction markers or aborted"
          + " records)";
    }
    long skipped = findings.stream().filter(f -> f instanceof SourceGapProbe.DataRecords).count();
    long deleted = findings.stream().filter(f -> f instanceof SourceGapProbe.Deleted).count();
    return "INCOMPLETE: "
        + skipped
        + " gap(s) hold events the ledger never recorded, "
        + deleted
        + " gap(s) were deleted from the source topics and cannot be proven"
        + (findings.size() < sources.gapCount()
            ? ", " + (sources.gapCount() - findings.size()) + " gap(s) not checked"
            : "");
  }

  private static String line(SourceGapProbe.Finding finding) {
    if (finding instanceof SourceGapProbe.DataRecords data) {
      return "SKIPPED: "
          + data.gap().describe()
          + ": the source topic holds events the ledger never recorded, at offsets "
          + data.offsets();
    }
    if (finding instanceof SourceGapProbe.Deleted deleted) {
      return "UNPROVABLE: "
          + deleted.gap().describe()
          + ": deleted from the source topic (its log starts at "
          + deleted.logStart()
          + "); whether they held events cannot be proven";
    }
    return "GAP: "
        + finding.gap().describe()
        + ": no committed data record in the source topic (transaction markers or aborted"
        + " records)";
  }

  /** The report as JSON: {@code sources} of {@code verify --json}. */
  JsonNode json() {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("complete", complete());
    sources.statedFromSeq().ifPresent(seq -> json.put("accountedFromSeq", seq));
    ArrayNode partitions = json.putArray("partitions");
    sources
        .accounted()
        .forEach(
            (p, range) -> {
              ObjectNode node = partitions.addObject();
              node.put("topic", p.topic());
              node.put("partition", p.partition());
              node.put("firstOffset", range[0]);
              node.put("nextOffset", range[1]);
            });
    json.put("gapCount", sources.gapCount());
    json.put("gapOffsets", sources.gapOffsets());
    json.put("sourcesChecked", checked);
    ArrayNode gaps = json.putArray("gaps");
    List<SourceGap> all = sources.gaps();
    for (int i = 0; i < Math.min(all.size(), maxGaps); i++) {
      SourceGap gap = all.get(i);
      ObjectNode node = gaps.addObject();
      node.put("topic", gap.topic());
      node.put("partition", gap.partition());
      node.put("firstOffset", gap.firstOffset());
      node.put("lastOffset", gap.lastOffset());
      node.put("checkpointSeq", gap.checkpointSeq());
      if (i < findings.size()) {
        SourceGapProbe.Finding finding = findings.get(i);
        if (finding instanceof SourceGapProbe.DataRecords data) {
          node.put("finding", "skipped-events");
          ArrayNode offsets = node.putArray("eventOffsets");
          data.offsets().forEach(offsets::add);
        } else if (finding instanceof SourceGapProbe.Deleted deleted) {
          node.put("finding", "deleted");
          node.put("logStart", deleted.logStart());
        } else {
          node.put("finding", "no-data-record");
        }
      }
    }
    return json;
  }
}
