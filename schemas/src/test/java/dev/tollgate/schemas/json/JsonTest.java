package dev.tollgate.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {

  private static final String PAYLOAD =
      "{\"ref\":\"refs/heads/main\",\"n\":12345678901234567890,\"text\":\"caf\u00e9 \\u2603 \\\"q\\\"\","
          + "\"nested\":{\"list\":[1,2.50,null,true]}}";

  @Test
  void verbatimObject_insideAnotherObject_isWrittenAsExactlyItsBytes() throws Exception {
    byte[] bytes = PAYLOAD.getBytes(StandardCharsets.UTF_8);
    ObjectNode outer = Json.mapper().createObjectNode();
    outer.put("before", 1);
    outer.set("payload", Json.verbatimObject(bytes));
    outer.put("after", 2);

    String written = Json.mapper().writeValueAsString(outer);

    assertThat(written).isEqualTo("{\"before\":1,\"payload\":" + PAYLOAD + ",\"after\":2}");
    // Written as bytes (the UTF-8 generator copies them) and as characters, the same text.
    assertThat(new String(Json.writeBytes(outer), StandardCharsets.UTF_8)).isEqualTo(written);
    assertThat(Json.readTree(written.getBytes(StandardCharsets.UTF_8)).get("payload"))
        .isEqualTo(Json.readTree(bytes));
  }

  @Test
  void verbatimObject_notAUtf8Object_isRefused() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
    byte[] utf16le = "{}".getBytes(StandardCharsets.UTF_16LE);
    byte[] utf16be = "{}".getBytes(StandardCharsets.UTF_16BE);
    byte[] array = "[1]".getBytes(StandardCharsets.UTF_8);
    byte[] leadingSpace = " {}".getBytes(StandardCharsets.UTF_8);

    for (byte[] bytes : new byte[][] {bom, utf16le, utf16be, array, leadingSpace, new byte[0]}) {
      assertThat(Json.isUtf8Object(bytes)).isFalse();
      assertThatThrownBy(() -> Json.verbatimObject(bytes))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("UTF-8");
    }
  }

  @Test
  void isUtf8Object_bytesJacksonReadsAsUtf16_areNotUtf8() throws Exception {
    byte[] utf16le = "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE);

    // Jackson reads these as an object, so the NUL check is what keeps them from being embedded.
    assertThat(Json.readTree(utf16le).isObject()).isTrue();
    assertThat(Json.isUtf8Object(utf16le)).isFalse();
  }
}
