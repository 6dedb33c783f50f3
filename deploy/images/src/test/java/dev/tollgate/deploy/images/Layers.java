package dev.tollgate.deploy.images;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads image layers (gzip'd tar) the way a container runtime unpacks them, for the tests. */
final class Layers {
  private Layers() {}

  /** One entry of a layer: its path (absolute, as in the image), owner and mode. */
  record Entry(String path, boolean directory, long uid, long gid, int mode) {}

  static List<Entry> entries(byte[] layer) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (TarArchiveInputStream tar = open(layer)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.add(
            new Entry(
                absolute(e.getName()),
                e.isDirectory(),
                e.getLongUserId(),
                e.getLongGroupId(),
                e.getMode() & 07777));
      }
    }
    return entries;
  }

  /**
   * Unpacks a layer over {@code root} with owners and modes. Jib writes files and directories only;
   * anything else (links, devices, whiteouts) fails the test rather than being guessed at.
   */
  static void extract(byte[] layer, Path root) throws IOException {
    try (TarArchiveInputStream tar = open(layer)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        String name = absolute(e.getName()).substring(1);
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || name.contains(".wh.")) {
          throw new IllegalStateException("unexpected layer entry " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else if (e.isFile()) {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
          throw new IllegalStateException("neither file nor directory: " + e.getName());
        }
        Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(target, permissions(e.getMode()));
      }
    }
  }

  private static TarArchiveInputStream open(byte[] layer) throws IOException {
    InputStream in = new GZIPInputStream(new ByteArrayInputStream(layer));
    return new TarArchiveInputStream(in);
  }

  private static String absolute(String name) {
    String n = name.startsWith("./") ? name.substring(1) : name;
    n = n.startsWith("/") ? n : "/" + n;
    return n.length() > 1 && n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }
}
