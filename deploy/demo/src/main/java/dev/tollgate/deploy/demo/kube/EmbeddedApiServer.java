package dev.tollgate.deploy.demo.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
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
 */
public final class EmbeddedApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private EmbeddedApiServer(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  /** Starts on {@code port} (0: any free port). */
  public static EmbeddedApiServer start(int port) throws IOException {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
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
    return new EmbeddedApiServer(server, client);
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
    client.close();
    server.destroy();
  }
}
