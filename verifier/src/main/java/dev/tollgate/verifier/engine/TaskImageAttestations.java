package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.attestation.AttestationCollector;
import dev.tollgate.verifier.attestation.ProvenanceEvaluator;
import dev.tollgate.verifier.attestation.ScanEvaluator;
import dev.tollgate.verifier.bundle.PinnedImage;
import dev.tollgate.verifier.oci.Deadline;
import dev.tollgate.verifier.oci.Lookups;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.report.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * The vulnerability scan and provenance of every step image a pipeline runs, each image judged
 * once. The images' attestations are fetched concurrently on the registry lookup executor (registry
 * latency, not CPU, is the cost); the checks are still reported in pipeline order.
 */
final class TaskImageAttestations {
  private final AttestationCollector attestations;
  private final ScanEvaluator scans;
  private final ProvenanceEvaluator provenance;
  private final Executor lookups;

  TaskImageAttestations(
      AttestationCollector attestations,
      ScanEvaluator scans,
      ProvenanceEvaluator provenance,
      Executor lookups) {
    this.attestations = attestations;
    this.scans = scans;
    this.provenance = provenance;
    this.lookups = lookups;
  }

  List<Check> check(List<PinnedImage> images, Instant now) {
    Map<String, PinnedImage> unique = new LinkedHashMap<>();
    images.forEach(i -> unique.putIfAbsent(i.pinned().toString(), i));
    List<FutureTask<AttestationCollector.Collected>> found = new ArrayList<>();
    for (PinnedImage image : unique.values()) {
      FutureTask<AttestationCollector.Collected> lookup =
          new FutureTask<>(
              // The verification's deadline goes with the lookup to the thread that makes it.
              Deadline.propagate(
                  () ->
                      attestations.collect(
                          image.pinned().repository(),
                          image.pinned().digest().orElseThrow(),
                          now)));
      try {
        lookups.execute(lookup);
      } catch (RejectedExecutionException full) {
        // An executor that refuses work costs latency, never a check.
        lookup.run();
      }
      found.add(lookup);
    }
    List<Check> checks = new ArrayList<>();
    int i = 0;
    for (PinnedImage image : unique.values()) {
      String subject = "image " + image.pinned();
      AttestationCollector.Collected collected;
      try {
        collected = Lookups.join(found.get(i++));
      } catch (OciException e) {
        checks.add(ReportChecks.ociCheck("image.attestations", subject, e));
        continue;
      }
      checks.add(scans.evaluate(subject, image.pinned(), collected, now));
      checks.add(provenance.evaluate(subject, image.pinned(), collected, now));
    }
    return List.copyOf(checks);
  }
}
