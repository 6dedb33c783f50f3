package dev.tollgate.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalJsonTest {

  private static String canonical(String json) throws MalformedJsonException {
    return new String(
        CanonicalJson.bytes(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  /** RFC 8785, section 3.2.2 (input) and section 3.2.3 (its canonical form). */
  @Test
  void bytes_rfc8785Section322Example_matchesSection323Output() throws Exception {
    String input =
        "{\n"
            + "  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
            + "              2e-3, 0.000000000000000000000000001],\n"
            + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
            + "  \"literals\": [null, true, false]\n"
            + "}";

    assertThat(canonical(input))
        .isEqualTo(
            "{\"literals\":[null,true,false],"
                + "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  }

  /** RFC 8785, section 3.2.3: properties sorted by their UTF-16 code units. */
  @Test
  void bytes_rfc8785Section323SortingExample_ordersByUtf16CodeUnits() throws Exception {
    String input =
        "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\","
            + " \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\","
            + " \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\","
            + " \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";

    assertThat(canonical(input))
        .isEqualTo(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
  }

  /** RFC 8785, appendix B: IEEE 754 values and their ECMAScript serialization. */
  @ParameterizedTest
  @CsvSource({
    "0000000000000000, 0",
    "8000000000000000, 0",
    "0000000000000001, 5e-324",
    "8000000000000001, -5e-324",
    "7fefffffffffffff, 1.7976931348623157e+308",
    "ffefffffffffffff, -1.7976931348623157e+308",
    "4340000000000000, 9007199254740992",
    "c340000000000000, -9007199254740992",
    "4430000000000000, 295147905179352830000",
    "44b52d02c7e14af5, 9.999999999999997e+22",
    "44b52d02c7e14af6, 1e+23",
    "44b52d02c7e14af7, 1.0000000000000001e+23",
    "444b1ae4d6e2ef4e, 999999999999999700000",
    "444b1ae4d6e2ef4f, 999999999999999900000",
    "444b1ae4d6e2ef50, 1e+21",
    "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d, 0.000001",
    "41b3de4355555553, 333333333.3333332",
    "41b3de4355555554, 333333333.33333325",
    "41b3de4355555555, 333333333.3333333",
    "41b3de4355555556, 333333333.3333334",
    "41b3de4355555557, 333333333.33333343",
    "becbf647612f3696, -0.0000033333333333333333",
    "43143ff3c1cb0959, 1424953923781206.2"
  })
  void bytes_rfc8785AppendixBNumber_serializesAsEcmaScript(String ieeeHex, String expected)
      throws Exception {
    double value = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));

    assertThat(canonical("[" + Double.toString(value) + "]")).isEqualTo("[" + expected + "]");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"\"caf\\u00e9\" | \"caf\u00e9\"", "1.50 | 1.5", "true | true", "null | null"})
  void bytes_bareValue_isCanonicalizedLikeAnArrayElement(String input, String expected)
      throws Exception {
    assertThat(canonical(input)).isEqualTo(expected);
  }

  @Test
  void bytes_malformedInput_throwsMalformedJson() {
    assertThatThrownBy(() -> canonical("{\"a\":")).isInstanceOf(MalformedJsonException.class);
  }

  /** Found by fuzzing the gateway: bytes Jackson takes for UTF-32 used to escape as unchecked. */
  @Test
  void readTree_bytesThatLookLikeUtf32_throwMalformedJson() {
    // UTF-32BE by its first bytes, then a code point beyond U+10FFFF: a CharConversionException.
    byte[] utf32Looking = {0, 0, 0, '{', 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    assertThatThrownBy(() -> Json.readTree(utf32Looking))
        .isInstanceOf(MalformedJsonException.class);
    assertThatThrownBy(() -> Json.read(utf32Looking, Object.class))
        .isInstanceOf(MalformedJsonException.class);
  }

  @Test
  void bytes_duplicateKeys_areRejected() {
    assertThatThrownBy(() -> canonical("{\"a\":1,\"a\":2}"))
        .isInstanceOf(MalformedJsonException.class);
  }
}
