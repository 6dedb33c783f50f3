package dev.tollgate.verifier.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's CRUD dispatcher that can be told to answer {@code 503} to the next N PipelineRun
 * creations in a namespace, as an overloaded or restarting API server does, and then to recover.
 */
public final class FlakyApiServer extends KubernetesCrudDispatcher {
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

  /** The next {@code times} PipelineRun creations in {@code namespace} get a 503. */
  public void failPipelineRunCreates(String namespace, int times) {
    failures.put(namespace, new AtomicInteger(times));
  }

  /** PipelineRun creations in {@code namespace} that reached the server, failed or not. */
  public int pipelineRunCreates(String namespace) {
    return attempts.getOrDefault(namespace, new AtomicInteger()).get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if ("POST".equals(request.getMethod()) && path != null && path.contains("/pipelineruns")) {
      String namespace = namespaceOf(path);
      attempts.computeIfAbsent(namespace, n -> new AtomicInteger()).incrementAndGet();
      AtomicInteger left = failures.get(namespace);
      if (left != null && left.getAndDecrement() > 0) {
        return new MockResponse()
            .setResponseCode(503)
            .setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                    + "\"the server is currently unable to handle the request\",\"code\":503}"
                        .getBytes(StandardCharsets.UTF_8));
      }
    }
    return super.dispatch(request);
  }

  private static String namespaceOf(String path) {
    String[] parts = path.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if ("namespaces".equals(parts[i])) {
        return parts[i + 1];
      }
    }
    return "";
  }
}
