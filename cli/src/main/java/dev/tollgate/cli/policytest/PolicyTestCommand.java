package dev.tollgate.cli.policytest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cli.OutputFormat;
import dev.tollgate.cli.TollgateCommand;
import dev.tollgate.schemas.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate policy test DIR}: decides every test of {@code DIR/tollgate-test.yaml} and exits
 * 0 when each decision is the expected one, 1 when any differs or cannot be decided as declared, 2
 * when the manifest, a policy or a trigger cannot be read.
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Decide fixture triggers under trigger policies and compare with the expected decisions.",
      "DIR holds "
          + TestManifest.FILE_NAME
          + ": the policies, and tests of a trigger, its"
          + " bundle's declared verification and the expected outcome and reason codes.",
      "No registry is contacted: each bundle's verification is the one its test declares."
    })
public final class PolicyTestCommand implements Callable<Integer> {

  static final String NO_REGISTRY =
      "Bundle verification reports are the ones each test declares: no registry was contacted.";

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "A test directory (or its " + TestManifest.FILE_NAME + ").")
  Path dir;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TestManifest manifest;
    List<PolicyTestRunner.Result> results;
    try {
      manifest = TestManifest.read(dir);
      results = PolicyTestRunner.run(manifest);
    } catch (ManifestException e) {
      err.println("ERROR: " + e.getMessage());
      err.flush();
      return TollgateCommand.USAGE;
    }
    long passed = count(results, PolicyTestRunner.Status.PASS);
    long failed = count(results, PolicyTestRunner.Status.FAIL);
    long errors = count(results, PolicyTestRunner.Status.ERROR);
    switch (output) {
      case JSON -> out.println(json(manifest, results, passed, failed, errors));
      case TEXT -> text(out, manifest, results, passed, failed, errors);
    }
    out.flush();
    return passed == results.size() ? TollgateCommand.OK : TollgateCommand.FAILED;
  }

  private static void text(
      PrintWriter out,
      TestManifest manifest,
      List<PolicyTestRunner.Result> results,
      long passed,
      long failed,
      long errors) {
    out.println(
        "Policy test "
            + manifest.name()
            + " ("
            + manifest.file()
            + "): "
            + manifest.policies().size()
            + " "
            + (manifest.policies().size() == 1 ? "policy" : "policies"));
    int width = results.stream().mapToInt(r -> r.test().name().length()).max().orElse(0);
    for (PolicyTestRunner.Result r : results) {
      String what = r.actual().map(a -> a.brief()).orElse("not decided");
      out.printf(
          Locale.ROOT, "%-5s  %-" + width + "s  %s%n", r.status().name(), r.test().name(), what);
      for (String problem : r.problems()) {
        out.println("       " + problem);
      }
    }
    out.println(
        results.size()
            + " tests: "
            + passed
            + " passed, "
            + failed
            + " failed, "
            + errors
            + " not decided");
    out.println(NO_REGISTRY);
  }

  private static String json(
      TestManifest manifest,
      List<PolicyTestRunner.Result> results,
      long passed,
      long failed,
      long errors)
      throws JsonProcessingException {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("manifest", manifest.file().toString());
    root.put("name", manifest.name());
    ArrayNode policies = root.putArray("policies");
    manifest
        .policies()
        .forEach(
            p -> {
              ObjectNode policy = policies.addObject();
              policy.put("name", p.name());
              policy.put("version", p.version());
            });
    ArrayNode tests = root.putArray("tests");
    for (PolicyTestRunner.Result r : results) {
      ObjectNode test = tests.addObject();
      test.put("name", r.test().name());
      test.put("trigger", r.test().triggerFile().toString());
      test.put("triggerId", r.test().trigger().triggerId());
      test.put("result", r.status().name().toLowerCase(Locale.ROOT));
      test.put("verificationAsked", r.verificationAsked());
      test.put("verificationDeclared", r.test().verification().isPresent());
      r.actual().ifPresent(a -> test.set("actual", a.toJson()));
      ArrayNode problems = test.putArray("problems");
      r.problems().forEach(problems::add);
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("tests", results.size());
    summary.put("passed", passed);
    summary.put("failed", failed);
    summary.put("errors", errors);
    root.put("verification", "declared by each test; no registry was contacted");
    return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private static long count(List<PolicyTestRunner.Result> results, PolicyTestRunner.Status s) {
    return results.stream().filter(r -> r.status() == s).count();
  }
}
