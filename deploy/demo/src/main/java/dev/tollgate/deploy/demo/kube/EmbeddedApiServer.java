package dev.tollgate.deploy.demo.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1, plain HTTP, no authentication, with the
 * Tekton v1 PipelineRun and TaskRun CRDs registered (status subresource included). State lives in
 * memory and is gone when the process stops.
 *
 * <p>Every request is counted by verb and path shape and the counts are served at {@value
 * RequestCounts#PATH} (the system benchmark reports them per trigger). fabric8's server also keeps
 * every request it answered, body included, in a queue meant for tests' {@code takeRequest()}; a
 * daemon thread empties it, or a long-running server would hold every request ever made and spend
 * its CPU collecting a heap that only grows.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final Thread drain;

  private EmbeddedApiServer(KubernetesMockServer server, KubernetesClient client, Thread drain) {
    this.server = server;
    this.client = client;
    this.drain = drain;
  }

  /** Starts on {@code port} (0: any free port). */
  public static EmbeddedApiServer start(int port) throws IOException {
    MockWebServer web = new MockWebServer();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            web,
            new HashMap<>(),
            new CountingDispatcher(new IndexedCrudDispatcher(), new RequestCounts()),
            false);
    Thread drain = new Thread(() -> discardRecordedRequests(web), "api-server-recorded-requests");
    drain.setDaemon(true);
    drain.start();
    server.init(InetAddress.getLoopbackAddress(), port);
    KubernetesClient client = server.createClient();
    for (String crd : List.of("pipelineruns", "taskruns")) {
      try (InputStream yaml =
          EmbeddedApiServer.class.getResourceAsStream("/tekton/" + crd + ".crd.yaml")) {
        if (yaml == null) {
          throw new IllegalStateException("the Tekton CRD " + crd + " is missing from the jar");
        }
        client.apiextensions().v1().customResourceDefinitions().load(yaml).create();
      }
    }
    return new EmbeddedApiServer(server, client, drain);
  }

  private static void discardRecordedRequests(MockWebServer web) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        web.takeRequest();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** A client of this server. */
  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    drain.interrupt();
    client.close();
    server.destroy();
  }
}
