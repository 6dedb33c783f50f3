package dev.tollgate.deploy.images;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseImageBuilderTest {
  @TempDir Path dir;

  private Path rootfs() throws IOException {
    Path root = Files.createDirectories(dir.resolve("rootfs"));
    Path java = Files.createDirectories(root.resolve("opt/java/bin")).resolve("java");
    Files.writeString(java, "#!java", UTF_8);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path lib = Files.createDirectories(root.resolve("lib/x86_64-linux-gnu"));
    Files.writeString(lib.resolve("libz.so.1.2.13"), "zlib", UTF_8);
    Files.createSymbolicLink(lib.resolve("libz.so.1"), Path.of("libz.so.1.2.13"));
    Files.createDirectories(root.resolve("lib64"));
    Files.createSymbolicLink(
        root.resolve("lib64/ld-linux-x86-64.so.2"), Path.of("/lib/x86_64-linux-gnu/libz.so.1"));
    Files.createDirectories(root.resolve("tmp"));
    return root;
  }

  @Test
  void writeTar_symbolicLinks_storedAsTheirTargetsInsideTheRootfs() throws Exception {
    Path tar = dir.resolve("base.tar");
    new BaseImageBuilder(rootfs(), Map.of("dev.tollgate.test", "yes"))
        .writeTar("tollgate-test/jre-base:1", tar);

    Map<String, byte[]> files = untar(Files.readAllBytes(tar));
    JsonNode manifest = Json.mapper().readTree(files.get("manifest.json")).get(0);
    JsonNode config = Json.mapper().readTree(files.get(manifest.path("Config").asText()));
    assertThat(config.path("config").path("User").asText()).isEqualTo("185");
    assertThat(config.path("config").path("Labels").path("dev.tollgate.test").asText())
        .isEqualTo("yes");
    List<String> layerFiles =
        Json.mapper().convertValue(manifest.path("Layers"), new TypeReference<List<String>>() {});
    assertThat(layerFiles).hasSize(2);

    Map<String, TarArchiveEntry> os = new HashMap<>();
    Map<String, byte[]> osFiles = untarGz(files.get(layerFiles.get(0)), os);
    assertThat(new String(osFiles.get("/lib64/ld-linux-x86-64.so.2"), UTF_8)).isEqualTo("zlib");
    assertThat(new String(osFiles.get("/lib/x86_64-linux-gnu/libz.so.1"), UTF_8)).isEqualTo("zlib");
    assertThat(os.values()).noneMatch(TarArchiveEntry::isSymbolicLink);
    assertThat(os.get("/tmp").getLongUserId()).isEqualTo(185);
    assertThat(os.get("/tmp").getMode() & 0777).isEqualTo(0700);
    assertThat(os.get("/lib/x86_64-linux-gnu/libz.so.1").getMode() & 0222).isZero();

    Map<String, TarArchiveEntry> jre = new HashMap<>();
    untarGz(files.get(layerFiles.get(1)), jre);
    assertThat(jre.get("/opt/java/bin/java").getMode() & 0777).isEqualTo(0555);
    assertThat(jre.get("/opt/java/bin/java").getLongUserId()).isZero();
  }

  @Test
  void containerBuilder_linkLeavingTheRootfs_refused() throws Exception {
    Path root = rootfs();
    Files.createSymbolicLink(root.resolve("lib/escape"), Path.of("../../../etc/passwd"));
    assertThatThrownBy(() -> new BaseImageBuilder(root, Map.of()).containerBuilder())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaves the root filesystem");
  }

  @Test
  void containerBuilder_danglingLink_refused() throws Exception {
    Path root = rootfs();
    Files.createSymbolicLink(root.resolve("lib/gone.so"), Path.of("/lib/none.so"));
    assertThatThrownBy(() -> new BaseImageBuilder(root, Map.of()).containerBuilder())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dangling symbolic link: /lib/gone.so");
  }

  @Test
  void constructor_noRuntime_refused() throws Exception {
    Path root = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> new BaseImageBuilder(root, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run base-rootfs first");
  }

  private static Map<String, byte[]> untar(byte[] tar) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        files.put(e.getName(), in.readAllBytes());
      }
    }
    return files;
  }

  private static Map<String, byte[]> untarGz(byte[] gz, Map<String, TarArchiveEntry> entries)
      throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (InputStream raw = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz));
        TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String name = "/" + e.getName().replaceAll("^/|/$", "");
        entries.put(name, e);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        files.put(name, out.toByteArray());
      }
    }
    return files;
  }
}
