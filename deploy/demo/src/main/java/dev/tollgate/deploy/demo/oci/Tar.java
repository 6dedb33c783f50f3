package dev.tollgate.deploy.demo.oci;

import java.nio.charset.StandardCharsets;

/**
 * Writes a single-file ustar archive, the layer format of Tekton bundles ({@code tkn bundle push}
 * writes one regular file per layer, no PAX or GNU headers).
 */
public final class Tar {
  private static final int BLOCK = 512;
  private static final int NAME_MAX = 100;

  private Tar() {}

  /** One regular file, mode 0644, owner 0, mtime 0, followed by the two zero end blocks. */
  public static byte[] singleFile(String name, byte[] content) {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    if (nameBytes.length == 0 || nameBytes.length > NAME_MAX) {
      throw new IllegalArgumentException("a ustar name is 1 to 100 ASCII bytes: " + name);
    }
    int padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
    byte[] out = new byte[BLOCK + padded + 2 * BLOCK];
    byte[] header = new byte[BLOCK];
    put(header, 0, name, NAME_MAX);
    put(header, 100, octal(0644, 7), 8);
    put(header, 108, octal(0, 7), 8);
    put(header, 116, octal(0, 7), 8);
    put(header, 124, octal(content.length, 11), 12);
    put(header, 136, octal(0, 11), 12);
    header[156] = '0';
    put(header, 257, "ustar", 6);
    put(header, 263, "00", 2);
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, octal(sum, 6), 7);
    header[154] = 0;
    header[155] = ' ';
    System.arraycopy(header, 0, out, 0, BLOCK);
    System.arraycopy(content, 0, out, BLOCK, content.length);
    return out;
  }

  private static String octal(long value, int width) {
    StringBuilder s = new StringBuilder(Long.toOctalString(value));
    while (s.length() < width) {
      s.insert(0, '0');
    }
    return s.toString();
  }

  private static void put(byte[] header, int offset, String value, int max) {
    byte[] b = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, header, offset, Math.min(b.length, max));
  }
}
