package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A signature or key has one base64 spelling: another spelling of the same bytes is refused. */
class CanonicalBase64Test {

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  /** The same bytes, with unused low bits set in the last base64 character before the padding. */
  private static String otherSpelling(String canonical, int unusedBits) {
    int last = canonical.indexOf('=') - 1;
    int index = ALPHABET.indexOf(canonical.charAt(last));
    String other =
        canonical.substring(0, last)
            + ALPHABET.charAt(index | ((1 << unusedBits) - 1))
            + canonical.substring(last + 1);
    assertThat(Base64.getDecoder().decode(other)).isEqualTo(Base64.getDecoder().decode(canonical));
    return other;
  }

  @Test
  void isSignature_canonicalSpelling_accepted() {
    String signature = Base64.getEncoder().encodeToString(new byte[64]);

    assertThat(RecordShape.isSignature(signature)).isTrue();
  }

  @Test
  void isSignature_unusedBitsSet_refused() {
    String signature = Base64.getEncoder().encodeToString(new byte[64]);

    assertThat(RecordShape.isSignature(otherSpelling(signature, 4))).isFalse();
  }

  @Test
  void isCanonicalBase64_publicKeyWithUnusedBitsSet_refused() {
    String key = Base64.getEncoder().encodeToString(new byte[32]);

    assertThat(RecordShape.isCanonicalBase64(key)).isTrue();
    assertThat(RecordShape.isCanonicalBase64(otherSpelling(key, 2))).isFalse();
  }
}
