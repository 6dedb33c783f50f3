package dev.tollgate.verifier.bundle;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one file of a bundle layer, as Tekton's {@code readTarLayer} reads it with Go's {@code
 * archive/tar}, or a refusal. Tekton reads the first entry of the archive and ignores the rest, and
 * Go applies PAX ({@code x}, {@code g}) and GNU ({@code L}, {@code K}) extended headers to it (a
 * PAX {@code size} or {@code path} overrides the ustar field). Rather than imitate all of that, a
 * layer is accepted only when both readings are trivially the same: exactly one plain ustar entry
 * of a regular file, its size in octal, followed by nothing but zero blocks. Anything else
 * (extended headers, links, directories, a second entry, base-256 sizes) is refused. Content
 * without a valid ustar header at offset 0 is the raw document, as Tekton falls back to it.
 */
final class LayerArchive {
  private static final int BLOCK = 512;

  private LayerArchive() {}

  static byte[] singleFileOrRaw(byte[] content, int maxBytes, Map<String, String> ev)
      throws BundleException {
    if (content.length < BLOCK || !isTarHeader(content, 0)) {
      return content;
    }
    byte type = content[156];
    if (type != '0' && type != 0) {
      throw refused(
          "its first entry is of type '"
              + (type == 0 ? "\\0" : String.valueOf((char) type))
              + "' ("
              + describe(type)
              + "), not a plain regular file",
          ev);
    }
    long size = octal(content, 124, 12, ev);
    if (size > maxBytes || BLOCK + size > content.length) {
      throw refused("its entry size " + size + " exceeds the layer or the limit", ev);
    }
    int end = BLOCK + (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
    for (int i = end; i < content.length; i++) {
      if (content[i] != 0) {
        throw refused("it holds more than its one file (Tekton reads the first entry only)", ev);
      }
    }
    byte[] file = new byte[(int) size];
    System.arraycopy(content, BLOCK, file, 0, (int) size);
    return file;
  }

  private static String describe(byte type) {
    return switch (type) {
      case 'x' -> "PAX extended header, which may override the size and path";
      case 'g' -> "PAX global header";
      case 'L', 'K' -> "GNU long name or link";
      case '1' -> "hard link";
      case '2' -> "symbolic link";
      case '5' -> "directory";
      default -> "not a regular file";
    };
  }

  private static BundleException refused(String why, Map<String, String> ev) {
    return new BundleException(
        BundleReason.LAYER_ARCHIVE_UNSUPPORTED, "the layer archive is refused: " + why, ev);
  }

  private static boolean isTarHeader(byte[] b, int offset) {
    String magic = new String(b, offset + 257, 5, StandardCharsets.US_ASCII);
    if (!"ustar".equals(magic)) {
      return false;
    }
    long stored = 0;
    for (int i = 148; i < 156; i++) {
      byte c = b[offset + i];
      if (c >= '0' && c <= '7') {
        stored = stored * 8 + (c - '0');
      }
    }
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b[offset + i] & 0xff);
    }
    return sum == stored;
  }

  /** An octal field: optional leading spaces, digits, then NUL or space padding only. */
  private static long octal(byte[] b, int offset, int length, Map<String, String> ev)
      throws BundleException {
    int i = offset;
    int end = offset + length;
    while (i < end && b[i] == ' ') {
      i++;
    }
    long value = 0;
    int digits = 0;
    while (i < end && b[i] >= '0' && b[i] <= '7') {
      value = value * 8 + (b[i] - '0');
      digits++;
      i++;
    }
    while (i < end && (b[i] == 0 || b[i] == ' ')) {
      i++;
    }
    if (i != end || digits == 0 || digits > 11) {
      throw refused("its size field is not plain octal (base-256 or malformed)", ev);
    }
    return value;
  }
}
