package dev.tollgate.gateway.external;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies the OIDC JWTs that call external triggers: the issuer must be on the allowlist ({@code
 * tollgate.gateway.oidc.issuers}), the signature must verify under a key from that issuer's JWKS
 * (discovered from its {@code /.well-known/openid-configuration} unless configured), with an
 * asymmetric algorithm; the audience must be the configured one; exp is required and checked with a
 * small skew, the lifetime bounded; sub and jti are required.
 *
 * <p>The token is read twice, the standard jose4j way: once without trusting anything, only to
 * learn which allowed issuer's keys to verify it with, then fully.
 */
@Singleton
public class OidcTokenVerifier {

  private static final AlgorithmConstraints ASYMMETRIC =
      new AlgorithmConstraints(
          AlgorithmConstraints.ConstraintType.PERMIT,
          AlgorithmIdentifiers.RSA_USING_SHA256,
          AlgorithmIdentifiers.RSA_USING_SHA384,
          AlgorithmIdentifiers.RSA_USING_SHA512,
          AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
          AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
          AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384);

  /** A verified token. */
  public record VerifiedToken(
      String issuerName, String issuer, String subject, String tokenId, Instant expiresAt) {}

  private final Map<String, GatewayConfig.IssuerConfig> issuers;
  private final String audience;
  private final Duration skew;
  private final Duration maxLifetime;
  private final Map<String, HttpsJwksVerificationKeyResolver> resolvers = new ConcurrentHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final JwtConsumer unverified =
      new JwtConsumerBuilder()
          .setSkipAllValidators()
          .setDisableRequireSignature()
          .setSkipSignatureVerification()
          .build();

  @Inject
  public OidcTokenVerifier(GatewayConfig config) {
    this.issuers = Map.copyOf(config.oidc().issuers());
    this.audience = config.oidc().audience().orElse(null);
    this.skew = config.oidc().clockSkew();
    this.maxLifetime = config.oidc().maxTokenLifetime();
  }

  /**
   * Verifies a bearer token.
   *
   * @throws TokenRejectedException with the reason it is refused
   */
  public VerifiedToken verify(String token) throws TokenRejectedException {
    if (audience == null) {
      throw new TokenRejectedException(
          TokenRejectedException.Code.TOKEN_AUDIENCE,
          "tollgate.gateway.oidc.audience is not configured, so no token can be accepted.");
    }
    JwtContext context;
    String issuer;
    try {
      context = unverified.process(token);
      issuer = context.getJwtClaims().getIssuer();
    } catch (InvalidJwtException | MalformedClaimException e) {
      throw new TokenRejectedException(
          TokenRejectedException.Code.TOKEN_INVALID, "The bearer token is not a readable JWT.");
    }
    String issuerName = issuerName(issuer);
    if (issuerName == null) {
      throw new TokenRejectedException(
          TokenRejectedException.Code.ISSUER_NOT_ALLOWED,
          "The token's issuer is not on tollgate.gateway.oidc.issuers.");
    }
    JwtConsumer consumer =
        new JwtConsumerBuilder()
            .setExpectedIssuer(true, issuer)
            .setExpectedAudience(true, audience)
            .setRequireExpirationTime()
            .setRequireSubject()
            .setRequireJwtId()
            .setAllowedClockSkewInSeconds((int) skew.toSeconds())
            .setMaxFutureValidityInMinutes((int) Math.max(1, maxLifetime.toMinutes()))
            .setJwsAlgorithmConstraints(ASYMMETRIC)
            .setVerificationKeyResolver(resolver(issuerName))
            .build();
    JwtClaims claims;
    try {
      consumer.processContext(context);
      claims = context.getJwtClaims();
      return new VerifiedToken(
          issuerName,
          issuer,
          claims.getSubject(),
          claims.getJwtId(),
          Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
    } catch (InvalidJwtException e) {
      throw rejected(e);
    } catch (MalformedClaimException e) {
      throw new TokenRejectedException(
          TokenRejectedException.Code.TOKEN_INVALID, "A claim of the token is malformed.");
    }
  }

  private static TokenRejectedException rejected(InvalidJwtException e) {
    if (e.hasExpired() || e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
      return new TokenRejectedException(
          TokenRejectedException.Code.TOKEN_EXPIRED,
          "The token is expired or not yet valid. Request a fresh one.");
    }
    if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID)
        || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
      return new TokenRejectedException(
          TokenRejectedException.Code.TOKEN_AUDIENCE,
          "The token was not issued for this gateway's audience"
              + " (tollgate.gateway.oidc.audience).");
    }
    if (e.getCause() instanceof UnresolvableKeyException
        && e.getCause().getCause() instanceof IOException) {
      return new TokenRejectedException(
          TokenRejectedException.Code.ISSUER_UNAVAILABLE,
          "The issuer's keys could not be fetched. Try again later.");
    }
    return new TokenRejectedException(
        TokenRejectedException.Code.TOKEN_INVALID,
        "The token does not verify: "
            + e.getErrorDetails().stream()
                .map(d -> "code " + d.getErrorCode())
                .reduce((a, b) -> a + ", " + b)
                .orElse("unknown")
            + " (jose4j ErrorCodes).");
  }

  private String issuerName(String issuer) {
    if (issuer == null) {
      return null;
    }
    for (Map.Entry<String, GatewayConfig.IssuerConfig> entry : issuers.entrySet()) {
      if (entry.getValue().url().equals(issuer)) {
        return entry.getKey();
      }
    }
    return null;
  }

  private HttpsJwksVerificationKeyResolver resolver(String issuerName)
      throws TokenRejectedException {
    HttpsJwksVerificationKeyResolver existing = resolvers.get(issuerName);
    if (existing != null) {
      return existing;
    }
    GatewayConfig.IssuerConfig issuer = issuers.get(issuerName);
    String jwksUri = issuer.jwksUri().orElse(null);
    if (jwksUri == null) {
      jwksUri = discoverJwksUri(issuer.url());
    }
    HttpsJwks jwks = new HttpsJwks(jwksUri);
    jwks.setDefaultCacheDuration(300);
    jwks.setRetainCacheOnErrorDuration(3600);
    HttpsJwksVerificationKeyResolver resolver = new HttpsJwksVerificationKeyResolver(jwks);
    resolvers.putIfAbsent(issuerName, resolver);
    return resolvers.get(issuerName);
  }

  /** {@code jwks_uri} from the issuer's discovery document, whose issuer must be the issuer. */
  private String discoverJwksUri(String issuerUrl) throws TokenRejectedException {
    String base =
        issuerUrl.endsWith("/") ? issuerUrl.substring(0, issuerUrl.length() - 1) : issuerUrl;
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
                  .timeout(Duration.ofSeconds(5))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IOException("discovery answered " + response.statusCode());
      }
      JsonNode document = Json.readTree(response.body());
      if (!issuerUrl.equals(document.path("issuer").textValue())
          || !document.path("jwks_uri").isTextual()) {
        throw new IOException("discovery document names another issuer or no jwks_uri");
      }
      return document.get("jwks_uri").textValue();
    } catch (IOException | MalformedJsonException e) {
      throw new TokenRejectedException(
          TokenRejectedException.Code.ISSUER_UNAVAILABLE,
          "The issuer's OpenID configuration could not be read: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenRejectedException(
          TokenRejectedException.Code.ISSUER_UNAVAILABLE, "Interrupted while reading the issuer.");
    }
  }
}
