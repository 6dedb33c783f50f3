package dev.tollgate.verifier.namespace;

import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.reason.DecisionReason;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the registry pull Secret a policy names from the source an administrator designated for it
 * into a tenant namespace; a name no administrator designated, or a source that is missing or not a
 * {@value #DOCKER_CONFIG_JSON_TYPE} Secret, is refused.
 */
final class PullSecretCopier {
  static final String DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson";
  private static final String DOCKER_CONFIG_JSON = ".dockerconfigjson";

  private final KubernetesClient client;
  private final TenantProvisioner.Defaults defaults;

  PullSecretCopier(KubernetesClient client, TenantProvisioner.Defaults defaults) {
    this.client = client;
    this.defaults = defaults;
  }

  /**
   * Copies the designated source of {@code name} into {@code namespace}, under a name that carries
   * a digest of its content ({@code <name>-<10 hex>}): the copy is only ever created, never read or
   * updated (the verifier holds no right to read Secrets there), and a rotated source makes a new
   * copy the ServiceAccount then points to. Returns the copy's name.
   */
  String copy(String namespace, String name, List<String> created)
      throws NamespaceRefusedException {
    PullSecretSource source =
        defaults
            .pullSecret(name)
            .orElseThrow(
                () ->
                    new NamespaceRefusedException(
                        namespace,
                        DecisionReason.PULL_SECRET_NOT_DESIGNATED,
                        "The policy names registry pull Secret '"
                            + name
                            + "', which no administrator designated a source for"
                            + " (tollgate.verifier.tenants.pull-secrets designates "
                            + defaults.pullSecrets().stream().map(PullSecretSource::name).toList()
                            + ")"));
    Secret src = client.secrets().inNamespace(source.namespace()).withName(source.secret()).get();
    String where = "Secret " + source.namespace() + "/" + source.secret();
    if (src == null) {
      throw new NamespaceRefusedException(
          namespace,
          DecisionReason.PULL_SECRET_UNAVAILABLE,
          where + ", the designated source of pull Secret '" + name + "', does not exist");
    }
    String data = src.getData() == null ? null : src.getData().get(DOCKER_CONFIG_JSON);
    if (!DOCKER_CONFIG_JSON_TYPE.equals(src.getType()) || data == null || data.isEmpty()) {
      throw new NamespaceRefusedException(
          namespace,
          DecisionReason.PULL_SECRET_UNAVAILABLE,
          where
              + ", the designated source of pull Secret '"
              + name
              + "', is not of type "
              + DOCKER_CONFIG_JSON_TYPE
              + " with a "
              + DOCKER_CONFIG_JSON
              + " key");
    }
    String copyName =
        name + "-" + Sha256.hex(data.getBytes(StandardCharsets.US_ASCII)).substring(0, 10);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        TenantProvisioner.PULL_SECRET_SOURCE, source.namespace() + "/" + source.secret());
    Secret copy =
        new SecretBuilder()
            .withNewMetadata()
            .withName(copyName)
            .withNamespace(namespace)
            .withLabels(TenantObjects.managed())
            .withAnnotations(annotations)
            .endMetadata()
            .withType(DOCKER_CONFIG_JSON_TYPE)
            .withImmutable(true)
            .withData(Map.of(DOCKER_CONFIG_JSON, data))
            .build();
    try {
      client.resource(copy).create();
      created.add("Secret/" + copyName);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // The copy of this very content exists (its name says so): nothing to do.
    }
    return copyName;
  }
}
