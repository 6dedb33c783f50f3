package dev.tollgate.schemas.signing;

import java.util.Base64;

/** The PEM armour of one block (RFC 7468), strictly: one block of the expected label. */
final class Pem {

  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32-byte key follows. */
  static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private Pem() {}

  static byte[] decode(String pem, String label) throws EventKeyException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from || pem.indexOf(begin, from + 1) >= 0) {
      throw new EventKeyException("not one PEM " + label + " block");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new EventKeyException("the PEM " + label + " block is not base64");
    }
  }
}
