package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.schemas.json.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutations of valid registry answers, seeded so a failure reproduces: whatever a registry sends,
 * only {@link OciException} may come out of reading it. An unchecked exception here is the bug
 * class of issue 16 (a descriptor with {@code "size": -1} killed the command with
 * IllegalArgumentException).
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
class RegistryAnswerFuzzTest {
  private static final long SEED = 0x7011_6A7EL;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonNode[] HOSTILE_VALUES = {
    NODES.numberNode(-1),
    NODES.numberNode(0),
    NODES.numberNode(Long.MAX_VALUE),
    NODES.numberNode(new BigInteger("99999999999999999999999999")),
    NODES.numberNode(1.5),
    NODES.numberNode(-0.0),
    NODES.textNode(""),
    NODES.textNode("sha256:"),
    NODES.textNode("sha256:" + "g".repeat(64)),
    NODES.textNode("sha512:" + "a".repeat(128)),
    NODES.textNode("\u0000\r\n"),
    NODES.textNode("x".repeat(10_000)),
    NODES.textNode(MediaTypes.OCI_INDEX),
    NODES.textNode(MediaTypes.OCI_MANIFEST),
    NODES.booleanNode(true),
    NODES.nullNode(),
    NODES.arrayNode(),
    NODES.objectNode(),
  };

  @Test
  void parse_threeThousandMutatedManifestsAndIndexes_onlyOciExceptionEscapes() {
    Random random = new Random(SEED);
    Map<OciReason, Integer> outcomes = new EnumMap<>(OciReason.class);
    int parsed = 0;
    for (int i = 0; i < 3_000; i++) {
      JsonNode doc = i % 2 == 0 ? validManifest() : validIndex();
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        doc = mutate(doc, random);
      }
      byte[] bytes = bytes(doc, random);
      try {
        Manifest.parse(Digest.of(bytes), bytes, headerType(random), 128);
        parsed++;
      } catch (OciException e) {
        outcomes.merge(e.reason(), 1, Integer::sum);
      } catch (RuntimeException | Error e) {
        fail("iteration " + i + " escaped with " + e + " for " + abbreviate(bytes), e);
      }
    }
    // Both outcomes occur, so the mutations reach past the first check and the test can fail.
    assertThat(parsed).isPositive();
    assertThat(outcomes).containsKey(OciReason.MALFORMED_MANIFEST);
  }

  @Test
  void tagAndReferrers_mutatedAnswersFromARegistry_onlyOciExceptionEscapes() throws IOException {
    Random random = new Random(SEED + 1);
    List<byte[]> answers = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      answers.add(bytes(mutate(i % 2 == 0 ? validManifest() : validIndex(), random), random));
    }
    int[] next = {0};
    try (HostileRegistry registry = HostileRegistry.onLoopback()) {
      registry.on(
          "/v2/acme/app/",
          ex -> {
            byte[] body = answers.get(next[0] % answers.size());
            ex.getResponseHeaders().add("Docker-Content-Digest", garbage(random));
            ex.getResponseHeaders().add("Link", "<" + garbage(random) + ">; rel=\"next\"");
            HostileRegistry.respond(ex, 200, body, headerType(random));
          });
      RegistryClient client = registry.client().build();
      Repository repo = new Repository(registry.host(), "acme/app");
      for (next[0] = 0; next[0] < answers.size(); next[0]++) {
        try {
          if (next[0] % 2 == 0) {
            client.tag(repo, "v1");
          } else {
            client.referrers(repo, Digest.of(answers.get(next[0])));
          }
        } catch (OciException e) {
          assertThat(e.reason()).isNotNull();
        } catch (RuntimeException | Error e) {
          fail("answer " + next[0] + " escaped with " + e, e);
        }
      }
    }
  }

  @Test
  void headerParsers_randomInput_neverThrowUnchecked() {
    Random random = new Random(SEED + 2);
    URI origin = URI.create("https://registry.example/v2/acme/app/blobs/x");
    for (int i = 0; i < 5_000; i++) {
      String s = garbage(random);
      try {
        BearerChallenge.parse(s).ifPresent(c -> c.param("realm"));
        try {
          ImageReference.parse(s);
        } catch (OciException e) {
          assertThat(e.reason()).isEqualTo(OciReason.INVALID_REFERENCE);
        }
        Digest.parse(s);
      } catch (OciException e) {
        assertThat(e.reason()).isEqualTo(OciReason.INVALID_REFERENCE);
      } catch (RuntimeException e) {
        fail("'" + s + "' escaped with " + e, e);
      }
      try {
        URI target = Destinations.resolve(origin, s, "fuzz");
        // Hosts other than the origin's would be looked up in DNS: checked by the tests with
        // real registries instead.
        if (target.getHost() == null || target.getHost().equals(origin.getHost())) {
          Destinations.check(origin, target, "fuzz");
        }
      } catch (OciException e) {
        assertThat(e.reason()).isIn(OciReason.REDIRECT_REFUSED, OciReason.REGISTRY_UNAVAILABLE);
      } catch (RuntimeException e) {
        fail("'" + s + "' escaped with " + e, e);
      }
    }
  }

  private static JsonNode mutate(JsonNode doc, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(doc, containers);
    JsonNode target = containers.get(random.nextInt(containers.size()));
    JsonNode value = HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)].deepCopy();
    if (target instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      int op = random.nextInt(4);
      if (names.isEmpty() || op == 0) {
        String[] known = {
          "mediaType", "size", "digest", "layers", "manifests", "config", "subject"
        };
        o.set(known[random.nextInt(known.length)], value);
      } else if (op == 1) {
        o.remove(names.get(random.nextInt(names.size())));
      } else {
        o.set(names.get(random.nextInt(names.size())), value);
      }
    } else if (target instanceof ArrayNode a) {
      if (a.isEmpty() || random.nextBoolean()) {
        a.add(value);
      } else {
        a.set(random.nextInt(a.size()), value);
      }
    }
    return doc;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        collect(it.next(), out);
      }
    }
  }

  /** The document's bytes; now and then cut short or with a byte flipped. */
  private static byte[] bytes(JsonNode doc, Random random) {
    byte[] bytes = Json.writeBytes(doc);
    int damage = random.nextInt(10);
    if (damage == 0 && bytes.length > 1) {
      return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
    }
    if (damage == 1) {
      bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static String headerType(Random random) {
    String[] types = {
      null, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, "text/html", MediaTypes.OCI_INDEX + ";x"
    };
    return types[random.nextInt(types.length)];
  }

  private static String garbage(Random random) {
    String alphabet = "aZ09:/?#[]@!$&'()*+,;=%-._~ \"\\<>{}|^`sha256bearerrealm=http";
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(60);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static ObjectNode descriptor(String mediaType, String seed) {
    ObjectNode d = NODES.objectNode();
    d.put("mediaType", mediaType);
    d.put("digest", Digest.of(seed.getBytes(StandardCharsets.UTF_8)).toString());
    d.put("size", seed.length());
    d.putObject("annotations").put("org.example", seed);
    return d;
  }

  private static JsonNode validManifest() {
    ObjectNode m = NODES.objectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    m.put("artifactType", MediaTypes.SIGSTORE_BUNDLE_V03);
    m.set("config", descriptor(MediaTypes.OCI_EMPTY, "{}"));
    m.putArray("layers").add(descriptor(MediaTypes.SIGSTORE_BUNDLE_V03, "bundle"));
    m.set("subject", descriptor(MediaTypes.OCI_MANIFEST, "subject"));
    return m;
  }

  private static JsonNode validIndex() {
    ObjectNode m = NODES.objectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_INDEX);
    m.putArray("manifests")
        .add(descriptor(MediaTypes.OCI_MANIFEST, "one"))
        .add(descriptor(MediaTypes.OCI_MANIFEST, "two"));
    return m;
  }

  private static String abbreviate(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }
}
