package dev.tollgate.verifier.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.bundle.BundleReason;
import dev.tollgate.verifier.bundle.BundleResource;
import dev.tollgate.verifier.bundle.PinnedImage;
import dev.tollgate.verifier.bundle.PipelineTasks;
import dev.tollgate.verifier.bundle.TaskInspector;
import dev.tollgate.verifier.bundle.TektonBundle;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.report.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds every task a verified bundle's pipelines run and inspects its steps: embedded task specs,
 * and tasks from bundles referenced through the bundles resolver, each such bundle resolved once,
 * pinned, and verified like the pipeline's own. A task by bare name is denied (it would run
 * whatever Task of that name the namespace holds), so nothing unverified reaches the run.
 */
final class PipelineInspector {
  private final OciSource source;
  private final SignedBundleReader bundles;
  private final TaskInspector tasks;

  PipelineInspector(OciSource source, SignedBundleReader bundles, TaskInspector tasks) {
    this.source = source;
    this.bundles = bundles;
    this.tasks = tasks;
  }

  /** The checks of the inspected pipelines, and the step images they run, in pipeline order. */
  record Inspection(List<Check> checks, List<PinnedImage> images) {
    Inspection {
      checks = List.copyOf(checks);
      images = List.copyOf(images);
    }
  }

  /**
   * Inspects the pipeline named {@code only} (it must exist), or every pipeline of {@code bundle}.
   */
  Inspection inspect(TektonBundle bundle, Optional<String> only, Instant now) {
    return new Walk(bundle, now).run(only);
  }

  /** One inspection: what it found so far, and the task bundles verified on the way. */
  private final class Walk {
    private final TektonBundle root;
    private final Instant now;
    private final List<Check> checks = new ArrayList<>();
    private final List<PinnedImage> images = new ArrayList<>();

    /**
     * A task referenced through the resolver from the root bundle itself (by digest, or by a tag
     * that still points at it) is read from what was verified, not fetched and verified again.
     */
    private final Map<Digest, TektonBundle> verified = new LinkedHashMap<>();

    Walk(TektonBundle root, Instant now) {
      this.root = root;
      this.now = now;
      verified.put(root.pinned().digest().orElseThrow(), root);
    }

    Inspection run(Optional<String> only) {
      Optional<List<BundleResource>> pipelines = pipelines(only);
      if (pipelines.isPresent()) {
        pipelines.get().forEach(this::pipeline);
      }
      return new Inspection(checks, images);
    }

    /** The pipelines to inspect; empty (with a failed check) when there is none to inspect. */
    private Optional<List<BundleResource>> pipelines(Optional<String> only) {
      String subject = root.pinned().toString();
      List<BundleResource> all = root.ofKind("pipeline");
      if (only.isPresent()) {
        Optional<BundleResource> named = root.find("pipeline", only.get());
        if (named.isEmpty()) {
          List<String> names = all.stream().map(BundleResource::name).toList();
          checks.add(
              Check.failed(
                  "bundle.pipeline",
                  subject,
                  BundleReason.RESOURCE_NOT_FOUND.name(),
                  "the bundle holds no Pipeline '"
                      + only.get()
                      + "'"
                      + (names.isEmpty() ? "" : " (it holds " + String.join(", ", names) + ")"),
                  BundleReason.RESOURCE_NOT_FOUND.remediation(),
                  Map.of("pipeline", only.get(), "pipelines", String.join(",", names))));
          return Optional.empty();
        }
        checks.add(
            Check.passed(
                "bundle.pipeline",
                subject,
                "the bundle holds Pipeline '" + only.get() + "'",
                Map.of("pipeline", only.get())));
        return Optional.of(List.of(named.get()));
      }
      if (all.isEmpty()) {
        checks.add(
            Check.failed(
                "bundle.pipeline",
                subject,
                BundleReason.RESOURCE_NOT_FOUND.name(),
                "the bundle holds no Pipeline",
                BundleReason.RESOURCE_NOT_FOUND.remediation(),
                Map.of()));
        return Optional.empty();
      }
      return Optional.of(all);
    }

    private void pipeline(BundleResource p) {
      String pipeline = "pipeline/" + p.name();
      for (PipelineTasks.TaskUse use : PipelineTasks.of(p.spec())) {
        String task = pipeline + " task/" + use.pipelineTask();
        // A switch expression, so that a new kind of task reference fails to compile here
        // instead of passing unverified.
        Runnable judge =
            switch (use.source()) {
              case EMBEDDED -> () -> inspect(task, use.spec().orElseThrow());
              case BY_NAME ->
                  () ->
                      checks.add(
                          unsupported(
                              task,
                              "taskRef by bare name '"
                                  + use.taskName()
                                  + "' runs whatever Task of that name is in the run's namespace,"
                                  + " not one from this bundle; reference it with resolver:"
                                  + " bundles (this bundle's reference and name: "
                                  + use.taskName()
                                  + ")",
                              Map.of("task", use.taskName())));
              case BUNDLE_RESOLVER -> () -> referencedBundle(task, use);
              case UNSUPPORTED ->
                  () ->
                      checks.add(
                          unsupported(
                              task,
                              "task reference cannot be verified: " + use.unsupported().orElse(""),
                              Map.of()));
            };
        judge.run();
      }
    }

    private void referencedBundle(String task, PipelineTasks.TaskUse use) {
      String written = use.bundle().orElseThrow();
      ImageReference ref;
      Manifest manifest;
      try {
        ref = ImageReference.parse(written);
        Optional<Check> unpinned = PipelineTasks.unpinnedBundle(task, ref);
        if (unpinned.isPresent()) {
          checks.add(unpinned.get());
          return;
        }
        manifest = source.resolve(ref);
      } catch (OciException e) {
        checks.add(ReportChecks.ociCheck("task.bundle", task + " bundle " + written, e));
        return;
      }
      ImageReference pinned = ref.pinned(manifest.digest());
      TektonBundle taskBundle = verified.get(manifest.digest());
      if (taskBundle == null) {
        checks.add(
            Check.passed(
                "task.bundle.resolve",
                task,
                (ref.digest().isPresent()
                        ? "referenced by digest "
                        : "tag resolved once and pinned to ")
                    + manifest.digest(),
                Map.of("bundle", written, "pinned", pinned.toString())));
        SignedBundleReader.BundleRead read = bundles.read("task.bundle", pinned, manifest, now);
        checks.addAll(read.checks());
        if (read.bundle().isEmpty()) {
          return;
        }
        taskBundle = read.bundle().get();
        verified.put(manifest.digest(), taskBundle);
      } else if (taskBundle == root) {
        checks.add(
            Check.passed(
                "task.bundle.resolve",
                task,
                "the pipeline's own bundle " + manifest.digest() + ", verified above",
                Map.of("bundle", written, "pinned", pinned.toString())));
      }
      Optional<BundleResource> r = taskBundle.find(use.kind(), use.taskName());
      if (r.isEmpty()) {
        checks.add(
            Check.failed(
                "pipeline.taskRef",
                task,
                BundleReason.RESOURCE_NOT_FOUND.name(),
                use.kind() + " '" + use.taskName() + "' is not in bundle " + pinned,
                BundleReason.RESOURCE_NOT_FOUND.remediation(),
                Map.of("bundle", pinned.toString(), "task", use.taskName())));
        return;
      }
      inspect(task + " (" + pinned + ")", r.get().spec());
    }

    private void inspect(String task, JsonNode spec) {
      TaskInspector.Inspection inspection = tasks.inspect(task, spec);
      checks.addAll(inspection.checks());
      images.addAll(inspection.images());
    }
  }

  private static Check unsupported(String task, String message, Map<String, String> evidence) {
    return Check.failed(
        "pipeline.taskRef",
        task,
        BundleReason.UNSUPPORTED_REFERENCE.name(),
        message,
        BundleReason.UNSUPPORTED_REFERENCE.remediation(),
        evidence);
  }
}
