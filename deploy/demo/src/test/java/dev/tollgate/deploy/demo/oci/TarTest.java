package dev.tollgate.deploy.demo.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TarTest {

  @Test
  void singleFile_content_ustarHeaderContentAndTwoZeroBlocks() {
    byte[] content = "kind: Task\n".getBytes(StandardCharsets.UTF_8);

    byte[] tar = Tar.singleFile("hello.yaml", content);

    assertThat(tar).hasSize(512 + 512 + 1024);
    assertThat(new String(tar, 0, 10, StandardCharsets.US_ASCII)).isEqualTo("hello.yaml");
    assertThat(new String(tar, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
    assertThat(tar[156]).as("regular file").isEqualTo((byte) '0');
    assertThat(Long.parseLong(new String(tar, 124, 11, StandardCharsets.US_ASCII), 8))
        .isEqualTo(content.length);
    assertThat(Arrays.copyOfRange(tar, 512, 512 + content.length)).isEqualTo(content);
    assertThat(Arrays.copyOfRange(tar, 1024, tar.length)).containsOnly((byte) 0);
  }

  @Test
  void singleFile_header_checksumIsSumOfHeaderWithBlankChecksumField() {
    byte[] tar = Tar.singleFile("a.yaml", new byte[] {1, 2, 3});

    byte[] header = Arrays.copyOf(tar, 512);
    long recorded = Long.parseLong(new String(header, 148, 6, StandardCharsets.US_ASCII), 8);
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    assertThat(recorded).isEqualTo(sum);
  }

  @Test
  void singleFile_nameOver100Bytes_refused() {
    assertThatThrownBy(() -> Tar.singleFile("x".repeat(101), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
