package dev.tollgate.verifier.testing;

import java.nio.charset.StandardCharsets;

/** Writes a single-file ustar archive, the layer format Tekton bundles use. */
public final class Tar {
  private Tar() {}

  public static byte[] singleFile(String name, byte[] content) {
    int padded = (content.length + 511) / 512 * 512;
    byte[] out = new byte[512 + padded + 1024];
    byte[] header = new byte[512];
    put(header, 0, name, 100);
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
    System.arraycopy(header, 0, out, 0, 512);
    System.arraycopy(content, 0, out, 512, content.length);
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
