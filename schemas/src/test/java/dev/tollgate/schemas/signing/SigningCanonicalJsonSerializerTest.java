package dev.tollgate.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningCanonicalJsonSerializerTest {

  @TempDir Path dir;

  /** A serializer configured from a PEM file holding the RFC 8032 test key. */
  private SigningCanonicalJsonSerializer configured() throws Exception {
    Path pem = dir.resolve("gateway.pem");
    Files.writeString(
        pem,
        EventSignaturesTest.pkcs8Pem(
            HexFormat.of()
                .parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")));
    SigningCanonicalJsonSerializer serializer = new SigningCanonicalJsonSerializer();
    serializer.configure(Map.of(SigningCanonicalJsonSerializer.KEY_FILE, pem.toString()), false);
    return serializer;
  }

  @Test
  void serialize_withHeaders_canonicalBytesSignedUnderTheConfiguredKey() throws Exception {
    EventSigningKey key = EventSignaturesTest.rfc8032Key();
    SigningCanonicalJsonSerializer serializer = configured();
    Headers headers = EventSignaturesTest.headers("t-1");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("z", 1);
    data.put("a", "é");

    byte[] bytes = serializer.serialize("tollgate.triggers.v1", headers, data);

    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"é\",\"z\":1}");
    assertThat(bytes).isEqualTo(CanonicalJson.bytes(data));
    assertThat(serializer.keyId()).isEqualTo(key.keyId());
    assertThat(
            EventSignatures.verify(
                headers, bytes, EventKeyRing.of("gateway", List.of(key.publicKey()))))
        .isEqualTo(new EventSignatures.Verified(key.keyId()));
  }

  @Test
  void serialize_withoutHeaders_refused() throws Exception {
    SigningCanonicalJsonSerializer serializer = configured();

    assertThatThrownBy(() -> serializer.serialize("t", Map.of("a", 1)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void configure_noKeyFile_producerDoesNotStart() {
    SigningCanonicalJsonSerializer serializer = new SigningCanonicalJsonSerializer();

    assertThatThrownBy(() -> serializer.configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SigningCanonicalJsonSerializer.KEY_FILE);
  }

  @Test
  void configure_keyFileNotAKey_errorWithoutItsContent() throws Exception {
    Path pem = dir.resolve("bad.pem");
    Files.writeString(
        pem, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlZWQ=\n-----END PRIVATE KEY-----\n");
    SigningCanonicalJsonSerializer serializer = new SigningCanonicalJsonSerializer();

    assertThatThrownBy(
            () ->
                serializer.configure(
                    Map.of(SigningCanonicalJsonSerializer.KEY_FILE, pem.toString()), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("c2VjcmV0LXNlZWQ");
  }
}
