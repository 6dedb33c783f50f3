package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one YAML mapper of the verifier, for Tekton resources and the trust/policy file. YAML is a
 * superset of JSON, so it reads both. Aliases and document size are bounded: resources come from
 * registries, and a billion-laughs document must fail, not exhaust memory.
 */
public final class Yaml {
  static final int MAX_DOCUMENT_CODE_POINTS = 4 * 1024 * 1024;
  private static final ObjectMapper MAPPER = create();

  private Yaml() {}

  /** Thread-safe; do not reconfigure it. Unknown properties fail binding. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  @SuppressForbidden(
      "the verifier's single YAML mapper: dev.tollgate.schemas.json.Json is JSON-only, and"
          + " Tekton resources and the policy file are YAML")
  private static ObjectMapper create() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowRecursiveKeys(false);
    options.setCodePointLimit(MAX_DOCUMENT_CODE_POINTS);
    options.setAllowDuplicateKeys(false);
    YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
    ObjectMapper mapper = new ObjectMapper(factory);
    mapper.findAndRegisterModules();
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    return mapper;
  }

  /** Parses one YAML or JSON document into a tree. */
  public static JsonNode readTree(byte[] bytes) throws JsonProcessingException {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new com.fasterxml.jackson.core.JsonParseException(null, "empty document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a byte array cannot fail with I/O", e);
    }
  }
}
