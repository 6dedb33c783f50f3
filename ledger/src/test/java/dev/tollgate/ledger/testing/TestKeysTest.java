package dev.tollgate.ledger.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestKeysTest {

  @Test
  void generate_posixFilesystem_privateKeyOwnerOnly(@TempDir Path dir) throws Exception {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");

    TestKeys.KeyFiles keys = TestKeys.generate(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.privateKey())))
        .isEqualTo("rw-------");
    assertThat(keys.signer().publicKey().keyId()).isNotBlank();
  }
}
