package dev.tollgate.deploy.demo.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedApiServerTest {

  private EmbeddedApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    api = EmbeddedApiServer.start(0);
    client = api.client();
    for (String ns : new String[] {"a", "b"}) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static ConfigMap map(String namespace, String name, String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withData(Map.of("v", value))
        .build();
  }

  @Test
  void get_sameNameInTwoNamespaces_answersEachNamespacesObject() {
    client.configMaps().inNamespace("a").resource(map("a", "same", "in-a")).create();
    client.configMaps().inNamespace("b").resource(map("b", "same", "in-b")).create();

    assertThat(client.configMaps().inNamespace("a").withName("same").get().getData())
        .containsEntry("v", "in-a");
    assertThat(client.configMaps().inNamespace("b").withName("same").get().getData())
        .containsEntry("v", "in-b");
    assertThat(client.secrets().inNamespace("a").withName("same").get()).isNull();
  }

  @Test
  void get_afterUpdateAndDelete_answersTheCurrentState() {
    client.configMaps().inNamespace("a").resource(map("a", "cm", "one")).create();
    client.configMaps().inNamespace("a").resource(map("a", "cm", "two")).update();
    assertThat(client.configMaps().inNamespace("a").withName("cm").get().getData())
        .containsEntry("v", "two");

    client.configMaps().inNamespace("a").withName("cm").delete();

    assertThat(client.configMaps().inNamespace("a").withName("cm").get()).isNull();
    assertThat(client.configMaps().inNamespace("a").list().getItems()).isEmpty();
  }

  @Test
  void create_existingName_isAConflict() {
    client.configMaps().inNamespace("a").resource(map("a", "cm", "one")).create();

    assertThatThrownBy(
            () -> client.configMaps().inNamespace("a").resource(map("a", "cm", "two")).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    assertThat(client.configMaps().inNamespace("a").withName("cm").get().getData())
        .containsEntry("v", "one");
  }

  @Test
  void requestCounts_afterRequests_countsThemByShape() throws Exception {
    client.configMaps().inNamespace("a").resource(map("a", "cm", "one")).create();
    client.configMaps().inNamespace("a").withName("cm").get();
    client.configMaps().inNamespace("b").withName("cm").get();

    HttpResponse<String> counts =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(api.url() + RequestCounts.PATH)).build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(counts.body())
        .contains("2 GET /api/v1/namespaces/{ns}/configmaps/{name}\n")
        .contains("1 POST /api/v1/namespaces/{ns}/configmaps\n");
  }
}
