package dev.tollgate.schemas.json;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * JSON text kept as the UTF-8 bytes it arrived in, so that a generator writing it as a raw value
 * copies the bytes instead of encoding it again character by character. Only the unquoted UTF-8
 * forms are on that path; the quoted and character forms, which raw values never use, are derived
 * from the text when asked.
 */
final class VerbatimJson implements SerializableString {

  private final byte[] utf8;
  private String text;

  VerbatimJson(byte[] utf8) {
    this.utf8 = utf8.clone();
  }

  @Override
  public String getValue() {
    if (text == null) {
      text = new String(utf8, StandardCharsets.UTF_8);
    }
    return text;
  }

  @Override
  public int charLength() {
    return getValue().length();
  }

  @Override
  public byte[] asUnquotedUTF8() {
    return utf8.clone();
  }

  @Override
  public int appendUnquotedUTF8(byte[] buffer, int offset) {
    if (offset + utf8.length > buffer.length) {
      return -1;
    }
    System.arraycopy(utf8, 0, buffer, offset, utf8.length);
    return utf8.length;
  }

  @Override
  public int writeUnquotedUTF8(OutputStream out) throws IOException {
    out.write(utf8);
    return utf8.length;
  }

  @Override
  public int putUnquotedUTF8(ByteBuffer out) {
    if (out.remaining() < utf8.length) {
      return -1;
    }
    out.put(utf8);
    return utf8.length;
  }

  @Override
  public int appendUnquoted(char[] buffer, int offset) {
    String value = getValue();
    if (offset + value.length() > buffer.length) {
      return -1;
    }
    value.getChars(0, value.length(), buffer, offset);
    return value.length();
  }

  @Override
  public char[] asQuotedChars() {
    return quoted().asQuotedChars();
  }

  @Override
  public byte[] asQuotedUTF8() {
    return quoted().asQuotedUTF8();
  }

  @Override
  public int appendQuotedUTF8(byte[] buffer, int offset) {
    return quoted().appendQuotedUTF8(buffer, offset);
  }

  @Override
  public int appendQuoted(char[] buffer, int offset) {
    return quoted().appendQuoted(buffer, offset);
  }

  @Override
  public int writeQuotedUTF8(OutputStream out) throws IOException {
    return quoted().writeQuotedUTF8(out);
  }

  @Override
  public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
    return quoted().putQuotedUTF8(buffer);
  }

  private SerializedString quoted() {
    return new SerializedString(getValue());
  }

  @Override
  public String toString() {
    return getValue();
  }
}
