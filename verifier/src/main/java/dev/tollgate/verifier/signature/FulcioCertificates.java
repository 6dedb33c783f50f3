package dev.tollgate.verifier.signature;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Reads the signer identity out of a Fulcio certificate: the subject alternative name (URI or
 * email) and the OIDC issuer extension ({@code 1.3.6.1.4.1.57264.1.8}, a DER UTF8String, or the
 * deprecated {@code .1.1}, raw bytes).
 */
final class FulcioCertificates {
  static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
  static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
  private static final int SAN_EMAIL = 1;
  private static final int SAN_URI = 6;

  private FulcioCertificates() {}

  static Optional<String> subjectAlternativeName(X509Certificate cert) {
    Collection<List<?>> names;
    try {
      names = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (names == null) {
      return Optional.empty();
    }
    for (List<?> name : names) {
      Object type = name.get(0);
      if (type instanceof Integer
          && ((Integer) type == SAN_URI || (Integer) type == SAN_EMAIL)
          && name.get(1) instanceof String) {
        return Optional.of((String) name.get(1));
      }
    }
    return Optional.empty();
  }

  static Optional<String> issuer(X509Certificate cert) {
    byte[] v2 = cert.getExtensionValue(ISSUER_V2);
    if (v2 != null) {
      // extnValue OCTET STRING wrapping a DER UTF8String
      return contents(v2, (byte) 0x04)
          .flatMap(inner -> contents(inner, (byte) 0x0c))
          .map(b -> new String(b, StandardCharsets.UTF_8));
    }
    byte[] v1 = cert.getExtensionValue(ISSUER_V1);
    if (v1 != null) {
      return contents(v1, (byte) 0x04).map(b -> new String(b, StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }

  /** The X.509 certificates of PEM text, as cosign writes them into annotations. */
  static List<X509Certificate> fromPem(String pem) throws MalformedSignatureException {
    if (pem == null || pem.isBlank()) {
      throw new MalformedSignatureException("certificate annotation is empty");
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new MalformedSignatureException("no PEM certificate in the annotation");
      }
      return out;
    } catch (CertificateException e) {
      throw new MalformedSignatureException("the certificate annotation is not PEM X.509");
    }
  }

  /** The contents of one DER TLV with the expected tag, when well formed. */
  private static Optional<byte[]> contents(byte[] der, byte tag) {
    if (der.length < 2 || der[0] != tag) {
      return Optional.empty();
    }
    int length = der[1] & 0xff;
    int offset = 2;
    if (length > 0x80) {
      int octets = length & 0x7f;
      if (octets > 3 || der.length < 2 + octets) {
        return Optional.empty();
      }
      length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (der[2 + i] & 0xff);
      }
      offset = 2 + octets;
    } else if (length == 0x80) {
      return Optional.empty();
    }
    if (offset + length != der.length) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(der, offset, offset + length));
  }
}
