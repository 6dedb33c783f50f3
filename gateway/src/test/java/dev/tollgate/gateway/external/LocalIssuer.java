package dev.tollgate.gateway.external;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Instant;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * A local OIDC issuer for tests: a WireMock server serving an OpenID discovery document and a JWKS
 * with a key generated here, and a way to mint tokens with it (or with a key it does not publish).
 */
public final class LocalIssuer implements AutoCloseable {

  public static final String AUDIENCE = "tollgate-test";

  private final WireMockServer server;
  private final RsaJsonWebKey key;
  private final RsaJsonWebKey stranger;

  public LocalIssuer() {
    try {
      key = RsaJwkGenerator.generateJwk(2048);
      key.setKeyId("test-key-1");
      stranger = RsaJwkGenerator.generateJwk(2048);
      stranger.setKeyId("test-key-1");
    } catch (JoseException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
    server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
    server.stubFor(
        get(urlEqualTo("/.well-known/openid-configuration"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"issuer\":\""
                            + url()
                            + "\",\"jwks_uri\":\""
                            + url()
                            + "/keys\",\"response_types_supported\":[\"id_token\"],"
                            + "\"subject_types_supported\":[\"public\"],"
                            + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")));
    server.stubFor(
        get(urlEqualTo("/keys"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(new JsonWebKeySet(key).toJson())));
  }

  /** The issuer URL, as in the tokens' iss. */
  public String url() {
    return server.baseUrl();
  }

  /** A token from this issuer, valid for 5 minutes. */
  public String token(String subject) {
    return token(
        url(),
        subject,
        AUDIENCE,
        Instant.now().plusSeconds(300),
        UUID.randomUUID().toString(),
        false);
  }

  /** A token with every claim chosen, signed by the published key or by an unpublished one. */
  public String token(
      String issuer,
      String subject,
      String audience,
      Instant expiresAt,
      String jti,
      boolean strangerKey) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(issuer);
    claims.setSubject(subject);
    claims.setAudience(audience);
    claims.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
    claims.setIssuedAt(NumericDate.fromSeconds(expiresAt.getEpochSecond() - 600));
    if (jti != null) {
      claims.setJwtId(jti);
    }
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    RsaJsonWebKey signer = strangerKey ? stranger : key;
    jws.setKey(signer.getPrivateKey());
    jws.setKeyIdHeaderValue(signer.getKeyId());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
