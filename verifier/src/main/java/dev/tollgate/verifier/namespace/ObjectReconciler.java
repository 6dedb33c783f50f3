package dev.tollgate.verifier.namespace;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one object of a tenant namespace only when it is missing or differs from what it must be,
 * so that a second pass changes nothing: a missing object is created, a differing one is replaced
 * by the wanted one (keeping its other labels and its annotations), and each is recorded as {@code
 * Kind/name}. A watched copy that is what the object must be spares the read; any other is read.
 */
final class ObjectReconciler {
  private final KubernetesClient client;

  ObjectReconciler(KubernetesClient client) {
    this.client = client;
  }

  /** A predicate over (existing, wanted). */
  interface Differs<T> {
    boolean test(T existing, T wanted);
  }

  <T extends HasMetadata> void ensure(
      Resource<T> resource,
      T wanted,
      Differs<T> differs,
      List<String> created,
      List<String> repaired) {
    ensure(resource, null, wanted, differs, created, repaired);
  }

  /**
   * As {@link #ensure(Resource, HasMetadata, Differs, List, List)}, with {@code watched}, the copy
   * a watch holds (or null): when it is what the object must be, nothing is read or written; else
   * the object is read and checked as when nothing is watched.
   */
  <T extends HasMetadata> void ensure(
      Resource<T> resource,
      T watched,
      T wanted,
      Differs<T> differs,
      List<String> created,
      List<String> repaired) {
    if (watched != null && !differs.test(watched, wanted)) {
      return;
    }
    T existing = resource.get();
    String what = wanted.getKind() + "/" + wanted.getMetadata().getName();
    if (existing == null) {
      try {
        client.resource(wanted).create();
        created.add(what);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Another replica created it a moment ago: it is checked on the next run.
      }
      return;
    }
    if (differs.test(existing, wanted)) {
      Map<String, String> labels = new LinkedHashMap<>();
      if (existing.getMetadata().getLabels() != null) {
        labels.putAll(existing.getMetadata().getLabels());
      }
      labels.putAll(wanted.getMetadata().getLabels());
      wanted.getMetadata().setLabels(labels);
      wanted.getMetadata().setAnnotations(existing.getMetadata().getAnnotations());
      wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      client.resource(wanted).update();
      repaired.add(what);
    }
  }
}
