package dev.tollgate.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The direct writer gives the reference implementation's bytes wherever it answers, and declines
 * (so the reference answers) wherever it does not cover the tree.
 */
class FastCanonicalWriterTest {

  @Test
  void write_everyExampleAndLedgerRecord_equalsTheReference() throws Exception {
    Path examples = Path.of("examples");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(examples)) {
      files = walk.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      JsonNode tree = Json.readTree(Files.readAllBytes(file));
      assertThat(FastCanonicalWriter.write(tree)).as(file.toString()).isNotNull();
      assertThat(FastCanonicalWriter.write(tree))
          .as(file.toString())
          .isEqualTo(CanonicalJson.reference(tree));
    }
    for (String line : Files.readAllLines(examples.resolve("ledger/records.jsonl"))) {
      JsonNode record = Json.readTree(line.getBytes(StandardCharsets.UTF_8));
      assertThat(FastCanonicalWriter.write(record)).isEqualTo(CanonicalJson.reference(record));
    }
  }

  @Test
  void write_randomTreesOfEveryCharacterClass_equalTheReference() {
    Random random = new Random(8785);
    for (int i = 0; i < 2000; i++) {
      JsonNode tree = randomObject(random, 3);
      assertThat(FastCanonicalWriter.write(tree))
          .as(tree.toString())
          .isEqualTo(CanonicalJson.reference(tree));
    }
  }

  @Test
  void write_fractionsLargeIntegersAndLoneSurrogates_declines() throws Exception {
    for (String json :
        List.of(
            "{\"a\":1.5}",
            "{\"a\":9007199254740993}",
            "{\"a\":-9007199254740993}",
            "{\"a\":1E30}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00x\"}")) {
      JsonNode tree = Json.readTree(json.getBytes(StandardCharsets.UTF_8));

      assertThat(FastCanonicalWriter.write(tree)).as(json).isNull();
    }
    // The public entry point still answers, through the reference.
    assertThat(
            new String(
                CanonicalJson.bytes(
                    Json.readTree(
                        "{\"b\":1E30,\"a\":9007199254740992}".getBytes(StandardCharsets.UTF_8))),
                StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":9007199254740992,\"b\":1e+30}");
  }

  private static ObjectNode randomObject(Random random, int depth) {
    ObjectNode object = Json.mapper().createObjectNode();
    int members = random.nextInt(6);
    for (int i = 0; i < members; i++) {
      String name = randomString(random);
      switch (depth > 0 ? random.nextInt(7) : random.nextInt(5)) {
        case 0 -> object.put(name, randomString(random));
        case 1 -> object.put(name, random.nextLong() >> random.nextInt(64) >> 11);
        case 2 -> object.put(name, random.nextBoolean());
        case 3 -> object.putNull(name);
        case 4 -> object.put(name, random.nextInt());
        case 5 -> object.set(name, randomObject(random, depth - 1));
        default -> {
          ArrayNode array = object.putArray(name);
          for (int j = random.nextInt(4); j > 0; j--) {
            if (random.nextBoolean()) {
              array.add(randomString(random));
            } else {
              array.add(randomObject(random, depth - 1));
            }
          }
        }
      }
    }
    return object;
  }

  /** ASCII, controls, quotes and backslashes, Latin-1, BMP, astral pairs, U+2028, DEL. */
  private static String randomString(Random random) {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(12); i > 0; i--) {
      switch (random.nextInt(8)) {
        case 0 -> text.append((char) random.nextInt(0x20));
        case 1 -> text.append("\"\\/".charAt(random.nextInt(3)));
        case 2 -> text.append((char) (0x80 + random.nextInt(0x780)));
        case 3 -> text.append((char) (0x800 + random.nextInt(0xd000)));
        case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0xfffff));
        case 5 -> text.append(random.nextBoolean() ? '\u2028' : '\u007f');
        default -> text.append((char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return text.toString();
  }
}
