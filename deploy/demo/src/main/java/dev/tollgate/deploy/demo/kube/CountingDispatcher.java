package dev.tollgate.deploy.demo.kube;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Counts every request ({@link RequestCounts}) before the dispatcher it wraps answers it, and
 * answers {@code GET} {@value RequestCounts#PATH} with the counts itself.
 */
final class CountingDispatcher extends Dispatcher {

  private final Dispatcher next;
  private final RequestCounts counts;

  CountingDispatcher(Dispatcher next, RequestCounts counts) {
    this.next = next;
    this.counts = counts;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if (path != null && path.equals(RequestCounts.PATH)) {
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "text/plain")
          .setBody(counts.report());
    }
    counts.count(request.getMethod(), path == null ? "" : path);
    return next.dispatch(request);
  }

  @Override
  public void shutdown() {
    next.shutdown();
  }
}
