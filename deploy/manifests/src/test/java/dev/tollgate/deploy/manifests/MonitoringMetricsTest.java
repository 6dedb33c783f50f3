package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every metric the alert rules and the dashboard query is one something emits: a {@code tollgate_*}
 * name must be declared as a Micrometer meter in the services' sources, anything else must come
 * from an exporter named in {@link #EXTERNAL}. An alert on a metric nobody emits never fires, and
 * neither does one that selects a label value nobody sets ({@code outcome="lost"} where the code
 * counts {@code outcome="dropped"}): every equality label matcher on a {@code tollgate_*} metric
 * must name a value the code can give that label.
 */
class MonitoringMetricsTest {

  /**
   * EXPECTED MISSING, FOR THE LEAD TO EMPTY AFTER MERGING. Metrics the rules use that other
   * branches add: the verifier's decisions counter (issue 5) and the ledger writer's lag and
   * fencing (issue 6, under the names the rules use; rename here and in alerts.yaml if the ledger
   * chose others). The test fails when a name listed here is emitted, so the list only ever
   * shrinks.
   */
  static final Set<String> EXPECTED_MISSING = Set.of();

  /** Metrics that are not ours, by prefix, and who emits them. */
  static final Map<String, String> EXTERNAL =
      Map.of(
          "kube_", "kube-state-metrics",
          "jvm_", "Quarkus' Micrometer JVM binder",
          "process_", "Quarkus' Micrometer process binder",
          "http_server_", "Quarkus' Micrometer HTTP server binder");

  /** What Micrometer's Prometheus naming appends to a meter's name, by meter type and unit. */
  private static final List<String> SUFFIXES =
      List.of(
          "",
          "_total",
          "_seconds",
          "_seconds_count",
          "_seconds_sum",
          "_seconds_max",
          "_seconds_bucket",
          "_records",
          "_bytes");

  private static final Pattern METER_NAME = Pattern.compile("\"(tollgate(?:\\.[a-z0-9_]+)+)\"");
  private static final Pattern EXPR = Pattern.compile("\"?expr\"?\\s*:\\s*(?:>-\\s*)?(.*)");
  private static final Pattern SELECTOR =
      Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*[{\\[]");
  private static final Pattern OURS = Pattern.compile("\\b(tollgate_[a-z0-9_]+)\\b");
  private static final Pattern SELECTED =
      Pattern.compile("\\b(tollgate_[a-z0-9_]+)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * An enum constant carrying its wire value, {@code ERROR("error")}: how the contract's outcomes
   * (schemas/) reach a tag through {@code wire()}.
   */
  private static final Pattern WIRE_CONSTANT =
      Pattern.compile("\\b[A-Z][A-Z0-9_]*\\(\"([^\"]+)\"\\)");

  @Test
  void metrics_everyNameQueried_isEmittedByTheServicesOrAnExporter() throws IOException {
    Set<String> queried = queriedMetrics();
    Set<String> declared = declaredMeters();
    assertThat(queried)
        .as("metric names found in alerts.yaml and the dashboard")
        .hasSizeGreaterThan(8);

    Set<String> missing = new TreeSet<>();
    Set<String> unknown = new TreeSet<>();
    for (String metric : queried) {
      if (metric.startsWith("tollgate_")) {
        if (!declared.contains(metric)) {
          missing.add(metric);
        }
      } else if (EXTERNAL.keySet().stream().noneMatch(metric::startsWith)) {
        unknown.add(metric);
      }
    }
    assertThat(unknown)
        .as("metrics from no known exporter: name the exporter in EXTERNAL or drop the query")
        .isEmpty();
    assertThat(missing)
        .as(
            "tollgate_* metrics queried but declared by no meter in gateway/, verifier/ or ledger/"
                + " sources (Micrometer a.b.c -> a_b_c, counters + _total). If a name below is"
                + " now emitted, remove it from EXPECTED_MISSING; if it is new, emit it or fix the"
                + " query")
        .isEqualTo(new TreeSet<>(EXPECTED_MISSING));
  }

  @Test
  void labelValues_everyEqualityMatcher_isAValueTheCodeSets() throws IOException {
    Set<String> known = new TreeSet<>(wireValues());
    known.addAll(iteratedEnumConstants());
    List<String> unset = unsetLabelValues(selectedLabelValues(), declaringSources(), known);
    assertThat(selectedLabelValues())
        .as("label matchers found in alerts.yaml and the dashboard")
        .hasSizeGreaterThan(4);
    assertThat(unset)
        .as(
            "metric{label=\"value\"} selections whose value is no string literal in the sources"
                + " that declare the meter, nor a wire value of the contract's enums: the series"
                + " never exists, so the rule never fires. Use the value the code sets")
        .isEmpty();
  }

  @Test
  void iteratedEnumConstants_gatewaysRejectionCodes_areValuesTheCodeSets() throws IOException {
    // GitHubWebhookRoute registers tollgate.gateway.deliveries once per RejectionCode.values().
    assertThat(iteratedEnumConstants())
        .contains("SIGNATURE_MISMATCH", "SIGNATURE_HOOK_MISMATCH")
        .doesNotContain("rejected");
  }

  @Test
  void unsetLabelValues_valueTheCodeNeverSets_isReported() {
    // Guards the check itself with the mistake it was written for: the rule asked for "lost", the
    // publisher counts "dropped".
    Map<String, List<String>> sources =
        Map.of(
            "tollgate_gateway_rejections",
            List.of("meters.counter(\"tollgate.gateway.rejections\", \"outcome\", \"dropped\");"));
    List<Selection> selected =
        List.of(
            new Selection("tollgate_gateway_rejections_total", "outcome", "lost"),
            new Selection("tollgate_gateway_rejections_total", "outcome", "dropped"));

    assertThat(unsetLabelValues(selected, sources, Set.of()))
        .containsExactly("tollgate_gateway_rejections_total{outcome=\"lost\"}");
  }

  @Test
  void alerts_issueList_eachHasARule() throws IOException {
    String alerts = read("monitoring/alerts.yaml");
    assertThat(alerts)
        .contains("alert: TollgateRejectionSpike")
        .contains("alert: TollgateForgedDeliveryRecords")
        .contains("alert: TollgateDeliveryJournalNotWritten")
        .contains("alert: TollgateDeliveryJournalUnreadable")
        .contains("alert: TollgateUnadmittedRuns")
        .contains("alert: TollgateLedgerWriterFenced")
        .contains("alert: TollgateLedgerWriterLagging")
        .contains("alert: TollgateVerifierErrorDecisions")
        .contains("alert: TollgateForgedTriggers")
        .contains("alert: TollgateKafkaUnavailable")
        .contains("alert: TollgateLedgerWitnessLagging")
        .contains("alert: TollgateLedgerWitnessRollback");
  }

  @Test
  void declaredMeters_sources_includeTheKnownCounters() throws IOException {
    // Guards the scan itself: if it found nothing, every queried name would look missing.
    assertThat(declaredMeters())
        .contains(
            "tollgate_gateway_deliveries_total",
            "tollgate_ledger_unadmitted_runs_total",
            "tollgate_ledger_records_appended_total");
  }

  /** One equality label matcher on one of our metrics, as an expression selects it. */
  record Selection(String metric, String label, String value) {}

  /** The {@code tollgate_*{label="value"}} matchers of the rules and the dashboard. */
  static List<Selection> selectedLabelValues() throws IOException {
    List<Selection> selected = new ArrayList<>();
    for (String file : List.of("monitoring/alerts.yaml", "monitoring/tollgate-dashboard.json")) {
      for (String expr : expressions(read(file))) {
        Matcher selector = SELECTED.matcher(expr.replace("\\\"", "\""));
        while (selector.find()) {
          Matcher matcher = MATCHER.matcher(selector.group(2));
          while (matcher.find()) {
            // Only equality names one value; a regular expression or a negation may match none
            // on purpose, so they are not checked.
            if ("=".equals(matcher.group(2))) {
              selected.add(new Selection(selector.group(1), matcher.group(1), matcher.group(3)));
            }
          }
        }
      }
    }
    return selected;
  }

  /**
   * The selections no code sets: the value is neither a string literal in a source file that
   * declares the meter nor one of the contract's wire values.
   */
  static List<String> unsetLabelValues(
      List<Selection> selected, Map<String, List<String>> declaringSources, Set<String> wire) {
    List<String> unset = new ArrayList<>();
    for (Selection s : selected) {
      List<String> sources = sourcesOf(s.metric(), declaringSources);
      boolean set =
          wire.contains(s.value())
              || sources.stream().anyMatch(text -> text.contains("\"" + s.value() + "\""));
      if (!set) {
        unset.add(s.metric() + "{" + s.label() + "=\"" + s.value() + "\"}");
      }
    }
    return unset;
  }

  private static List<String> sourcesOf(String metric, Map<String, List<String>> declaring) {
    for (String suffix : SUFFIXES) {
      if (metric.endsWith(suffix)) {
        List<String> sources =
            declaring.get(metric.substring(0, metric.length() - suffix.length()));
        if (sources != null) {
          return sources;
        }
      }
    }
    return List.of();
  }

  /** The text of each main source file, by the Prometheus base name of each meter it declares. */
  static Map<String, List<String>> declaringSources() throws IOException {
    Map<String, List<String>> byMeter = new HashMap<>();
    for (Path file : serviceSources()) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Matcher m = METER_NAME.matcher(text);
      while (m.find()) {
        byMeter.computeIfAbsent(m.group(1).replace('.', '_'), k -> new ArrayList<>()).add(text);
      }
    }
    return byMeter;
  }

  /** The wire values of the contract's enums, which services tag meters with through wire(). */
  static Set<String> wireValues() throws IOException {
    Set<String> values = new TreeSet<>();
    Path sources = Kustomize.deployDir().getParent().resolve("schemas/src/main/java");
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = WIRE_CONSTANT.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (m.find()) {
          values.add(m.group(1));
        }
      }
    }
    return values;
  }

  /**
   * The constants of the services' enums that a meter-declaring source iterates ({@code
   * RejectionCode.values()}), which it tags meters with through {@code name()}: the gateway
   * registers one delivery counter per rejection code that way.
   */
  static Set<String> iteratedEnumConstants() throws IOException {
    Map<String, String> enums = new HashMap<>();
    List<String> declaring = new ArrayList<>();
    for (Path file : serviceSources()) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String name = file.getFileName().toString().replace(".java", "");
      if (text.contains("enum " + name + " ")) {
        enums.put(name, text);
      }
      if (METER_NAME.matcher(text).find()) {
        declaring.add(text);
      }
    }
    Set<String> constants = new TreeSet<>();
    Pattern iterated = Pattern.compile("\\b([A-Z]\\w*)\\.values\\(\\)");
    Pattern constant = Pattern.compile("(?m)^  ([A-Z][A-Z0-9_]*)\\s*[(,;]");
    for (String text : declaring) {
      Matcher m = iterated.matcher(text);
      while (m.find()) {
        String source = enums.get(m.group(1));
        if (source != null) {
          Matcher c = constant.matcher(source);
          while (c.find()) {
            constants.add(c.group(1));
          }
        }
      }
    }
    return constants;
  }

  private static List<Path> serviceSources() throws IOException {
    Path root = Kustomize.deployDir().getParent();
    List<Path> all = new ArrayList<>();
    for (String module : List.of("gateway", "verifier", "ledger")) {
      try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
        all.addAll(files.filter(f -> f.toString().endsWith(".java")).toList());
      }
    }
    return all;
  }

  /** Metric names in the rules' and the dashboard's expressions. */
  static Set<String> queriedMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String file : List.of("monitoring/alerts.yaml", "monitoring/tollgate-dashboard.json")) {
      for (String expr : expressions(read(file))) {
        Matcher selector = SELECTOR.matcher(expr);
        while (selector.find()) {
          names.add(selector.group(1));
        }
        Matcher ours = OURS.matcher(expr);
        while (ours.find()) {
          names.add(ours.group(1));
        }
      }
    }
    return names;
  }

  /** The expressions: each {@code expr} value with its YAML continuation lines. */
  private static List<String> expressions(String text) {
    List<String> exprs = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = EXPR.matcher(lines[i].strip());
      if (!m.matches()) {
        continue;
      }
      StringBuilder expr = new StringBuilder(m.group(1));
      int indent = indent(lines[i]);
      while (i + 1 < lines.length
          && (lines[i + 1].isBlank() || indent(lines[i + 1]) > indent)
          && !lines[i + 1].strip().startsWith("\"")) {
        expr.append(' ').append(lines[++i].strip());
      }
      exprs.add(expr.toString());
    }
    return exprs;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  /** Prometheus names of every {@code "tollgate.*"} string in the services' main sources. */
  static Set<String> declaredMeters() throws IOException {
    Path root = Kustomize.deployDir().getParent();
    Set<String> names = new TreeSet<>();
    for (String module : List.of("gateway", "verifier", "ledger")) {
      Path sources = root.resolve(module).resolve("src/main/java");
      try (Stream<Path> files = Files.walk(sources)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          Matcher m = METER_NAME.matcher(Files.readString(file, StandardCharsets.UTF_8));
          while (m.find()) {
            String base = m.group(1).replace('.', '_');
            SUFFIXES.forEach(suffix -> names.add(base + suffix));
          }
        }
      }
    }
    return names;
  }

  private static String read(String path) throws IOException {
    return Files.readString(Kustomize.deployDir().resolve(path), StandardCharsets.UTF_8);
  }
}
