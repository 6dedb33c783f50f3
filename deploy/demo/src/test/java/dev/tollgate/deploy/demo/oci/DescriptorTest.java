package dev.tollgate.deploy.demo.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DescriptorTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void toJson_annotations_sortedSoManifestsAreReproducible() {
    Descriptor d = new Descriptor("m", DIGEST, 3, Map.of("z", "1", "a", "2", "m", "3"));

    assertThat(d.toJson().toString())
        .isEqualTo(
            "{\"mediaType\":\"m\",\"digest\":\""
                + DIGEST
                + "\",\"size\":3,\"annotations\":{\"a\":\"2\",\"m\":\"3\",\"z\":\"1\"}}");
  }

  @Test
  void new_digestNotSha256_refused() {
    assertThatThrownBy(() -> new Descriptor("m", "sha512:00", 3, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
