package dev.tollgate.deploy.demo.content;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * An ECDSA P-256 key as cosign generates them ({@code cosign generate-key-pair}), signing as cosign
 * signs (SHA-256, ASN.1 DER signature, base64). Its private half lives only in this object and is
 * never printed.
 */
public final class DemoSigner {
  private final String name;
  private final KeyPair keys;

  private DemoSigner(String name, KeyPair keys) {
    this.name = name;
    this.keys = keys;
  }

  /** A fresh key named {@code name} (the name trust.yaml gives it). */
  public static DemoSigner generate(String name) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return new DemoSigner(name, g.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK 17 has EC P-256", e);
    }
  }

  public String name() {
    return name;
  }

  /** The base64 signature over {@code payload}. */
  public String sign(byte[] payload) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(keys.getPrivate());
      s.update(payload);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a generated P-256 key always signs", e);
    }
  }

  /** The public key as PEM (SubjectPublicKeyInfo), as {@code cosign.pub} holds it. */
  public String publicKeyPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  @Override
  public String toString() {
    return "DemoSigner[" + name + "]";
  }
}
