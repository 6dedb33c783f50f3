package dev.tollgate.deploy.demo.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestCountsTest {

  @Test
  void shape_namespacedObjectWithSubresource_replacesNamespaceAndName() {
    assertThat(
            RequestCounts.shape(
                "/apis/tekton.dev/v1/namespaces/tenant-a/pipelineruns/run-1/status"))
        .isEqualTo("/apis/tekton.dev/v1/namespaces/{ns}/pipelineruns/{name}/status");
  }

  @Test
  void shape_namespaceItself_isANameOfTheNamespacesResource() {
    assertThat(RequestCounts.shape("/api/v1/namespaces/tenant-a"))
        .isEqualTo("/api/v1/namespaces/{name}");
    assertThat(RequestCounts.shape("/api/v1/namespaces")).isEqualTo("/api/v1/namespaces");
  }

  @Test
  void shape_query_keepsNamesAndTheWatchFlagOnly() {
    assertThat(
            RequestCounts.shape(
                "/apis/tekton.dev/v1/pipelineruns?watch=true&resourceVersion=12&labelSelector=a%3Db"))
        .isEqualTo("/apis/tekton.dev/v1/pipelineruns?labelSelector&resourceVersion&watch=true");
  }

  @Test
  void report_countsEachShapeSeparately() {
    RequestCounts counts = new RequestCounts();
    counts.count("GET", "/api/v1/namespaces/a");
    counts.count("GET", "/api/v1/namespaces/b");
    counts.count("POST", "/api/v1/namespaces");

    assertThat(counts.report())
        .isEqualTo("2 GET /api/v1/namespaces/{name}\n1 POST /api/v1/namespaces\n");
  }
}
