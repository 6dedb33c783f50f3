package dev.tollgate.gateway.identity;

import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;
import org.kohsuke.github.authorization.AuthorizationProvider;

/**
 * How the gateway authenticates to the GitHub API: a token ({@value #TOKEN_PROPERTY}), or a GitHub
 * App ({@value #APP_ID_PROPERTY} and {@value #APP_KEY_PROPERTY}) whose installation tokens are
 * minted per installation; or nothing, in which case every identity is marked unverified.
 *
 * <p>The API's URL comes from {@value #API_URL_PROPERTY} only, never from a request. Tokens and the
 * key are held here and nowhere else; {@link #toString()} prints neither.
 */
@Singleton
public class GitHubCredentials {

  public static final String API_URL_PROPERTY = "tollgate.github.api-url";
  public static final String TOKEN_PROPERTY = "tollgate.github.token";
  public static final String APP_ID_PROPERTY = "tollgate.github.app-id";
  public static final String APP_KEY_PROPERTY = "tollgate.github.app-private-key";

  private final URI apiUrl;
  private final String token;
  private final Long appId;
  private final PrivateKey appKey;
  private final Clock clock;

  @Inject
  public GitHubCredentials(
      @ConfigProperty(name = API_URL_PROPERTY, defaultValue = "https://api.github.com")
          String apiUrl,
      @ConfigProperty(name = TOKEN_PROPERTY) Optional<String> token,
      @ConfigProperty(name = APP_ID_PROPERTY) Optional<Long> appId,
      @ConfigProperty(name = APP_KEY_PROPERTY) Optional<String> appKey) {
    this(
        URI.create(apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl),
        token.filter(t -> !t.isBlank()).orElse(null),
        appId.orElse(null),
        appKey.filter(k -> !k.isBlank()).map(GitHubCredentials::privateKey).orElse(null),
        Clock.systemUTC());
  }

  /** With explicit values, for tests and tools. */
  public GitHubCredentials(URI apiUrl, String token, Long appId, PrivateKey appKey, Clock clock) {
    if (!"https".equals(apiUrl.getScheme()) && !"http".equals(apiUrl.getScheme())) {
      throw new ConfigurationException(
          API_URL_PROPERTY + " must be an http(s) URL", Set.of(API_URL_PROPERTY));
    }
    if ((appId == null) != (appKey == null)) {
      throw new ConfigurationException(
          APP_ID_PROPERTY + " and " + APP_KEY_PROPERTY + " are set together or not at all",
          Set.of(APP_ID_PROPERTY, APP_KEY_PROPERTY));
    }
    if (token != null && appId != null) {
      throw new ConfigurationException(
          "set either " + TOKEN_PROPERTY + " or the GitHub App, not both",
          Set.of(TOKEN_PROPERTY, APP_ID_PROPERTY));
    }
    this.apiUrl = apiUrl;
    this.token = token;
    this.appId = appId;
    this.appKey = appKey;
    this.clock = clock;
  }

  /** The GitHub REST API's base URL, without a trailing slash. */
  public URI apiUrl() {
    return apiUrl;
  }

  /** Whether any credential is configured. */
  public boolean configured() {
    return token != null || appId != null;
  }

  /** Whether the credential is a GitHub App's. */
  public boolean isApp() {
    return appId != null;
  }

  /** The {@code Authorization} value of the configured token; only when not an App. */
  public String tokenAuthorization() {
    if (token == null) {
      throw new IllegalStateException("no token is configured");
    }
    return "Bearer " + token;
  }

  /**
   * Authenticates as the App itself (a JWT valid for 9 minutes, backdated 60 s for clock drift, as
   * GitHub documents), for {@code /app/...} endpoints and for minting installation tokens.
   */
  public AuthorizationProvider appAuthorization() {
    if (appId == null) {
      throw new IllegalStateException("no GitHub App is configured");
    }
    return () -> "Bearer " + appJwt();
  }

  String appJwt() throws IOException {
    JwtClaims claims = new JwtClaims();
    long now = clock.instant().getEpochSecond();
    claims.setIssuedAt(NumericDate.fromSeconds(now - 60));
    claims.setExpirationTime(NumericDate.fromSeconds(now + 9 * 60));
    claims.setIssuer(Long.toString(appId));
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(appKey);
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IOException("could not sign the GitHub App JWT", e);
    }
  }

  /**
   * Reads the App's private key: PKCS#8 ({@code BEGIN PRIVATE KEY}) or the PKCS#1 form GitHub hands
   * out ({@code BEGIN RSA PRIVATE KEY}).
   */
  static PrivateKey privateKey(String pem) {
    boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
    String base64 =
        pem.replaceAll("-----(BEGIN|END) (RSA )?PRIVATE KEY-----", "").replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs1ToPkcs8(der) : der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      // Neither the key nor the parser's message (which may quote it) goes into the error.
      throw new ConfigurationException(
          APP_KEY_PROPERTY + " is not an RSA private key in PEM (PKCS#1 or PKCS#8)",
          Set.of(APP_KEY_PROPERTY));
    }
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (RFC 5208), which the JDK reads. */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] version = {0x02, 0x01, 0x00};
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    content.writeBytes(version);
    content.writeBytes(algorithm);
    content.writeBytes(derHeader(0x04, pkcs1.length));
    content.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(derHeader(0x30, content.size()));
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  private static byte[] derHeader(int tag, int length) {
    if (length < 0x80) {
      return new byte[] {(byte) tag, (byte) length};
    }
    if (length < 0x100) {
      return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {
      (byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length
    };
  }

  @Override
  public String toString() {
    return "GitHubCredentials[api="
        + apiUrl
        + ", "
        + (token != null ? "token" : appId != null ? "app " + appId : "none")
        + ", redacted]";
  }
}
