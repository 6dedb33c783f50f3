package dev.tollgate.verifier.signature;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies a raw signature with a public key the way cosign and sigstore clients sign: ECDSA (DER)
 * with the curve's hash (and SHA-256 on P-384, which older cosign used), RSA PKCS#1 v1.5 or PSS
 * with SHA-256, and pure Ed25519 over the message.
 */
final class SignatureAlgorithms {
  private SignatureAlgorithms() {}

  /** True when {@code signature} is a valid signature of {@code message} under {@code key}. */
  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    for (Signature verifier : verifiersFor(key)) {
      try {
        verifier.initVerify(key);
        verifier.update(message);
        if (verifier.verify(signature)) {
          return true;
        }
      } catch (SignatureException malformedForThisScheme) {
        // e.g. an RSA signature of the wrong length or DER that does not parse: not this scheme
      } catch (InvalidKeyException e) {
        throw new IllegalStateException("key type was checked when the key was loaded", e);
      }
    }
    return false;
  }

  private static List<Signature> verifiersFor(PublicKey key) {
    List<Signature> out = new ArrayList<>();
    try {
      if (key instanceof ECPublicKey) {
        int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
        if (bits == 256) {
          out.add(Signature.getInstance("SHA256withECDSA"));
        } else if (bits == 384) {
          out.add(Signature.getInstance("SHA384withECDSA"));
          out.add(Signature.getInstance("SHA256withECDSA"));
        } else {
          out.add(Signature.getInstance("SHA512withECDSA"));
        }
      } else if (key instanceof RSAPublicKey) {
        out.add(Signature.getInstance("SHA256withRSA"));
        int emLen = (((RSAPublicKey) key).getModulus().bitLength() - 1 + 7) / 8;
        // Go's rsa.SignPSS writes salt = hash length or the maximum; verify both.
        for (int salt : new int[] {32, emLen - 32 - 2}) {
          Signature pss = Signature.getInstance("RSASSA-PSS");
          pss.setParameter(
              new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, salt, 1));
          out.add(pss);
        }
      } else if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
        out.add(Signature.getInstance("Ed25519"));
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK 17 provides ECDSA, RSA, RSASSA-PSS and Ed25519", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PSS parameters are valid for SHA-256", e);
    }
    return out;
  }
}
