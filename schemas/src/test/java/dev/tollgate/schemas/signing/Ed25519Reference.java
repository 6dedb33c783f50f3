package dev.tollgate.schemas.signing;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Edwards25519 arithmetic after RFC 8032, sections 5.1.3 to 5.1.5, in BigInteger: slow and plain,
 * for crafting edge-case signatures (a key's own scalars, small-order components) that no library
 * API makes. Test code only.
 */
final class Ed25519Reference {

  static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger SQRT_M1 =
      BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

  /** A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z. */
  record Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {}

  static final Point IDENTITY =
      new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);
  static final Point BASE =
      decode(
          java.util.HexFormat.of()
              .parseHex("5866666666666666666666666666666666666666666666666666666666666666"));

  private Ed25519Reference() {}

  static Point add(Point p, Point q) {
    BigInteger a = p.y().subtract(p.x()).multiply(q.y().subtract(q.x())).mod(P);
    BigInteger b = p.y().add(p.x()).multiply(q.y().add(q.x())).mod(P);
    BigInteger c = p.t().multiply(BigInteger.TWO).multiply(D).multiply(q.t()).mod(P);
    BigInteger d = p.z().multiply(BigInteger.TWO).multiply(q.z()).mod(P);
    BigInteger e = b.subtract(a);
    BigInteger f = d.subtract(c);
    BigInteger g = d.add(c);
    BigInteger h = b.add(a);
    return new Point(
        e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P));
  }

  static Point multiply(BigInteger scalar, Point point) {
    Point result = IDENTITY;
    Point addend = point;
    for (int i = 0; i < scalar.bitLength(); i++) {
      if (scalar.testBit(i)) {
        result = add(result, addend);
      }
      addend = add(addend, addend);
    }
    return result;
  }

  static boolean isIdentity(Point p) {
    return p.x().signum() == 0 && p.y().subtract(p.z()).mod(P).signum() == 0;
  }

  static byte[] encode(Point p) {
    BigInteger zInverse = p.z().modInverse(P);
    BigInteger x = p.x().multiply(zInverse).mod(P);
    BigInteger y = p.y().multiply(zInverse).mod(P);
    byte[] out = littleEndian(y);
    if (x.testBit(0)) {
      out[31] |= (byte) 0x80;
    }
    return out;
  }

  /** The point of a canonical encoding, or null (RFC 8032, section 5.1.3). */
  static Point decode(byte[] encoded) {
    byte[] copy = encoded.clone();
    boolean sign = (copy[31] & 0x80) != 0;
    copy[31] &= 0x7f;
    BigInteger y = fromLittleEndian(copy);
    if (y.compareTo(P) >= 0) {
      return null;
    }
    BigInteger y2 = y.multiply(y).mod(P);
    BigInteger x2 =
        y2.subtract(BigInteger.ONE)
            .multiply(D.multiply(y2).add(BigInteger.ONE).modInverse(P))
            .mod(P);
    if (x2.signum() == 0) {
      return sign ? null : new Point(BigInteger.ZERO, y, BigInteger.ONE, BigInteger.ZERO);
    }
    BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
    if (!x.multiply(x).mod(P).equals(x2)) {
      x = x.multiply(SQRT_M1).mod(P);
    }
    if (!x.multiply(x).mod(P).equals(x2)) {
      return null;
    }
    if (x.testBit(0) != sign) {
      x = P.subtract(x);
    }
    return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
  }

  /** SHA-512 of the parts, little-endian, mod L. */
  static BigInteger hashToScalar(byte[]... parts) {
    try {
      MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
      for (byte[] part : parts) {
        sha512.update(part);
      }
      return fromLittleEndian(sha512.digest()).mod(L);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** R || S for R's encoding and the scalar S. */
  static byte[] signature(byte[] r, BigInteger s) {
    byte[] out = new byte[64];
    System.arraycopy(r, 0, out, 0, 32);
    System.arraycopy(littleEndian(s), 0, out, 32, 32);
    return out;
  }

  static byte[] littleEndian(BigInteger value) {
    byte[] big = value.toByteArray();
    byte[] out = new byte[32];
    for (int i = 0; i < Math.min(32, big.length); i++) {
      out[i] = big[big.length - 1 - i];
    }
    return out;
  }

  static BigInteger fromLittleEndian(byte[] bytes) {
    byte[] big = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      big[i] = bytes[bytes.length - 1 - i];
    }
    return new BigInteger(1, big);
  }
}
