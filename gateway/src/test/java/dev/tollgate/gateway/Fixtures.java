package dev.tollgate.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test inputs: GitHub's own example payloads (octokit/webhooks, MIT, in the shared test data next
 * to the reactor) and signatures computed here with the JDK alone, independently of the code under
 * test.
 */
public final class Fixtures {

  /** The secret the tests sign with; the second entry of the test configuration. */
  public static final String SECRET = "test-secret-current";

  /** The secret being rotated out; the first entry of the test configuration. */
  public static final String OLD_SECRET = "test-secret-being-rotated-out";

  /** A secret whose not-after has passed; the third entry of the test configuration. */
  public static final String EXPIRED_SECRET = "test-secret-expired";

  private Fixtures() {}

  /**
   * A file under src/test/resources, by absolute path when surefire says where that is (the fuzz
   * execution runs in another working directory).
   */
  public static Path testResource(String relative) {
    return Path.of(System.getProperty("tollgate.test.resources", "src/test/resources"))
        .resolve(relative);
  }

  /** The gateway's test event-signing key (private) and its public half. */
  public static final String SIGNING_KEY = "signing/gateway-events.pem";

  public static final String SIGNING_PUBLIC_KEY = "signing/gateway-events.pub.pem";

  /** A key pair that is not the gateway's. */
  public static final String OTHER_PUBLIC_KEY = "signing/other-events.pub.pem";

  public static final String OTHER_KEY = "signing/other-events.pem";

  /** The bytes of a payload in {@code shared/testdata/github-webhooks/}. */
  public static byte[] webhook(String name) {
    String root = System.getProperty("tollgate.root");
    if (root == null) {
      throw new IllegalStateException(
          "system property tollgate.root is not set; run the tests through Maven, whose surefire"
              + " configuration in the parent POM sets it to the reactor root");
    }
    Path file = Path.of(root, "..", "shared", "testdata", "github-webhooks", name).toAbsolutePath();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "test payload " + file.normalize() + " is missing; it belongs to the shared test data");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  /** {@code sha256=<hex>} as GitHub computes it. */
  public static String sign(String secret, byte[] body) {
    return "sha256=" + hmac("HmacSHA256", secret, body);
  }

  /** The legacy {@code sha1=<hex>} form. */
  public static String signSha1(String secret, byte[] body) {
    return "sha1=" + hmac("HmacSHA1", secret, body);
  }

  private static String hmac(String algorithm, String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is in every JDK", e);
    }
  }
}
