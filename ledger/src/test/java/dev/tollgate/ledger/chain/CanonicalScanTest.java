package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scan may answer false for canonical JSON (the reference path then decides), but never true
 * for a value the reference path, parse then RFC 8785 serialise, does not give back byte for byte.
 */
class CanonicalScanTest {

  private static boolean referenceCanonical(byte[] value) {
    try {
      return Arrays.equals(value, CanonicalJson.bytes(Json.readTree(value)));
    } catch (MalformedJsonException | UncheckedIOException e) {
      return false;
    }
  }

  private static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void isPlainCanonicalObject_plainCanonicalValues_areProved() {
    List<String> values =
        List.of(
            "{}",
            "{\"a\":[],\"b\":{},\"c\":[1,-2,0,true,false,null]}",
            "{\"a\":9007199254740992,\"b\":-9007199254740992}",
            "{\"s\":\"tab\\t nl\\n quote\\\" back\\\\ ctl\\u001f del\u007f \u00e9 \u20ac \ud83d\ude00\"}",
            "{\"a\":{\"b\":{\"c\":[[\"d\"]]}},\"ab\":1}");
    for (String value : values) {
      assertThat(referenceCanonical(utf8(value))).as(value).isTrue();
      assertThat(CanonicalScan.isPlainCanonicalObject(utf8(value))).as(value).isTrue();
    }
  }

  @Test
  void isPlainCanonicalObject_nonCanonicalOrUnprovedValues_areNotProved() {
    List<String> values =
        List.of(
            "{\"b\":1,\"a\":2}",
            "{\"a\":1,\"a\":1}",
            "{ \"a\":1}",
            "{\"a\":1} ",
            "{\"a\":-0}",
            "{\"a\":01}",
            "{\"a\":1.0}",
            "{\"a\":1e2}",
            "{\"a\":9007199254740993}",
            "{\"a\":\"\\/\"}",
            "{\"a\":\"\\u0041\"}",
            "{\"a\":\"\\u001F\"}",
            "{\"a\":\"\\u000a\"}",
            "{\"a\":tru}",
            "[1]",
            "{\"a\":1",
            "{\"\u00e9\":1}");
    for (String value : values) {
      assertThat(CanonicalScan.isPlainCanonicalObject(utf8(value))).as(value).isFalse();
    }
    byte[][] badUtf8 = {
      {'{', '"', 'a', '"', ':', '"', (byte) 0xc0, (byte) 0x80, '"', '}'},
      {'{', '"', 'a', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'},
      {'{', '"', 'a', '"', ':', '"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', '}'},
      {'{', '"', 'a', '"', ':', '"', (byte) 0xe2, (byte) 0x82, '"', '}'},
    };
    for (byte[] value : badUtf8) {
      assertThat(CanonicalScan.isPlainCanonicalObject(value)).isFalse();
    }
  }

  /**
   * Every one-byte change of a real record: whatever the scan proves, the reference agrees with.
   */
  @Test
  void isPlainCanonicalObject_everyOneByteChangeOfARecord_neverProvesWhatTheReferenceRefuses() {
    byte[] record = Chains.build(TestKeys.signer(), 1).get(0);
    assertThat(CanonicalScan.isPlainCanonicalObject(record)).isTrue();
    byte[] replacements = {
      ' ',
      '"',
      '\\',
      '0',
      '1',
      '-',
      '.',
      'e',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      'a',
      'z',
      'u',
      0x1f,
      0x7f,
      (byte) 0xc3,
      (byte) 0xa9
    };
    int proved = 0;
    for (int i = 0; i < record.length; i++) {
      for (byte replacement : replacements) {
        byte[] changed = record.clone();
        changed[i] = replacement;
        if (CanonicalScan.isPlainCanonicalObject(changed)) {
          proved++;
          assertThat(referenceCanonical(changed)).as("byte %d set to %d", i, replacement).isTrue();
        }
      }
    }
    // Changes inside strings and numbers stay canonical: the check above ran on many values.
    assertThat(proved).isGreaterThan(record.length);
  }
}
