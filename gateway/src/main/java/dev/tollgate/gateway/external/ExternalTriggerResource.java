package dev.tollgate.gateway.external;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.emit.TriggerNotAcknowledgedException;
import dev.tollgate.gateway.github.GitHubWebhookRoute;
import dev.tollgate.gateway.github.GitHubWebhookRoute.AcceptedBody;
import dev.tollgate.gateway.github.GitHubWebhookRoute.ErrorBody;
import dev.tollgate.gateway.reject.RejectionPublisher;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * {@code POST /triggers/{name}}: external schedulers and people start a configured trigger with an
 * OIDC JWT (a Kubernetes projected service-account token, a GitHub Actions OIDC token). The token
 * is verified by {@link OidcTokenVerifier}; its issuer and subject must be allowed for this
 * trigger; its jti may be used once. The trigger id is {@code external:<name>@<jti>}, so a retry of
 * a call that was answered 503 (which frees its jti) cannot start a second run.
 *
 * <p>Used jtis are remembered per replica, until the token expires: a token replayed against
 * another replica is still deduplicated downstream by its trigger id.
 */
@Path("/triggers/{name}")
@Tag(name = "External triggers")
@SecurityScheme(
    securitySchemeName = "oidc",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    bearerFormat = "JWT")
public class ExternalTriggerResource {

  private static final Logger LOG = Logger.getLogger(ExternalTriggerResource.class);
  private static final Pattern JTI = Pattern.compile("[A-Za-z0-9._:+-]{1,128}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private enum Use {
    IN_FLIGHT,
    ACCEPTED
  }

  private record Used(Use use, Instant expiresAt) {}

  private final OidcTokenVerifier verifier;
  private final TriggerEmitter emitter;
  private final RejectionPublisher rejections;
  private final MeterRegistry meters;
  private final GatewayConfig config;
  private final Cache<String, Used> used;
  private final String retryAfterSeconds;

  @Inject
  public ExternalTriggerResource(
      OidcTokenVerifier verifier,
      TriggerEmitter emitter,
      RejectionPublisher rejections,
      MeterRegistry meters,
      GatewayConfig config) {
    this.verifier = verifier;
    this.emitter = emitter;
    this.rejections = rejections;
    this.meters = meters;
    this.config = config;
    this.retryAfterSeconds = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
    Duration skew = config.oidc().clockSkew();
    this.used =
        Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfter(
                new Expiry<String, Used>() {
                  @Override
                  public long expireAfterCreate(String key, Used value, long now) {
                    Duration left = Duration.between(Instant.now(), value.expiresAt()).plus(skew);
                    return Math.max(0, left.toNanos());
                  }

                  @Override
                  public long expireAfterUpdate(String key, Used value, long now, long current) {
                    return current;
                  }

                  @Override
                  public long expireAfterRead(String key, Used value, long now, long current) {
                    return current;
                  }
                })
            .build();
  }

  /** Starts a configured trigger, answering once Kafka acknowledged it. */
  @POST
  @Blocking
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Start a configured external trigger")
  @SecurityRequirement(name = "oidc")
  @APIResponse(
      responseCode = "202",
      description = "Kafka acknowledged the trigger.",
      content = @Content(schema = @Schema(implementation = AcceptedBody.class)))
  @APIResponse(
      responseCode = "401",
      description = "Missing, invalid, expired, wrongly addressed or replayed token.",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "403",
      description = "The token's subject may not call this trigger.",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "404",
      description = "No such trigger.",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "503",
      description = "Kafka did not acknowledge, or the issuer's keys are unavailable; retry.",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Uni<Response> start(
      @PathParam("name") String name,
      @Context HttpHeaders headers,
      @Context HttpServerRequest request) {
    meters.counter("tollgate.gateway.external.received").increment();
    String remote = GitHubWebhookRoute.remoteAddress(request);
    TriggerEvent trigger;
    String replayKey;
    try {
      OidcTokenVerifier.VerifiedToken token = verifier.verify(bearer(headers));
      GatewayConfig.ExternalTriggerConfig target =
          NAME.matcher(name).matches() ? config.triggers().get(name) : null;
      if (target == null) {
        throw new TokenRejectedException(
            TokenRejectedException.Code.TRIGGER_UNKNOWN,
            "No external trigger is configured under this name (tollgate.gateway.triggers).");
      }
      if (!target.issuer().equals(token.issuerName())
          || !target.subjects().contains(token.subject())) {
        throw new TokenRejectedException(
            TokenRejectedException.Code.SUBJECT_NOT_ALLOWED,
            "The token's issuer and subject are not allowed to start "
                + name
                + ". Add the subject to tollgate.gateway.triggers."
                + name
                + ".subjects.");
      }
      if (!JTI.matcher(token.tokenId()).matches()) {
        throw new TokenRejectedException(
            TokenRejectedException.Code.TOKEN_INVALID,
            "The token's jti must be 1 to 128 letters, digits or . _ : + -.");
      }
      replayKey = token.issuer() + "\u0000" + token.tokenId();
      Used previous =
          used.asMap().putIfAbsent(replayKey, new Used(Use.IN_FLIGHT, token.expiresAt()));
      if (previous != null) {
        throw new TokenRejectedException(
            TokenRejectedException.Code.TOKEN_REPLAYED,
            "This token (its jti) was used already. Request a fresh token for every call.");
      }
      trigger = trigger(name, target, token);
    } catch (TokenRejectedException e) {
      return Uni.createFrom().item(rejected(name, remote, e));
    }
    String key = replayKey;
    return emitter
        .emit(trigger)
        .map(
            ok -> {
              used.asMap().computeIfPresent(key, (k, v) -> new Used(Use.ACCEPTED, v.expiresAt()));
              LOG.infof(
                  "trigger=%s subject=%s outcome=accepted",
                  trigger.triggerId(), trigger.caller().subject());
              count("accepted", "ACCEPTED");
              return Response.accepted(new AcceptedBody(trigger.triggerId(), "accepted")).build();
            })
        .onFailure(TriggerNotAcknowledgedException.class)
        .recoverWithItem(
            failure -> {
              // Not recorded: the caller may retry with the same token; same jti, same trigger id.
              used.invalidate(key);
              count("unavailable", "KAFKA_NOT_ACKNOWLEDGED");
              return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                  .header("Retry-After", retryAfterSeconds)
                  .entity(
                      new ErrorBody(
                          "KAFKA_NOT_ACKNOWLEDGED",
                          "The trigger "
                              + trigger.triggerId()
                              + " could not be recorded now. Retry later with the same token."))
                  .build();
            });
  }

  static TriggerEvent trigger(
      String name,
      GatewayConfig.ExternalTriggerConfig target,
      OidcTokenVerifier.VerifiedToken token) {
    return TriggerEvent.external(
        new TriggerEvent.Caller(name, token.issuer(), token.subject(), token.tokenId()),
        Instant.now().truncatedTo(ChronoUnit.MILLIS),
        target.repository().orElse(null),
        target.ref().orElse(null),
        target.parameters());
  }

  private static String bearer(HttpHeaders headers) throws TokenRejectedException {
    List<String> values = headers.getRequestHeader(HttpHeaders.AUTHORIZATION);
    if (values == null || values.size() != 1 || !values.get(0).startsWith("Bearer ")) {
      throw new TokenRejectedException(
          TokenRejectedException.Code.TOKEN_MISSING,
          "Send one Authorization: Bearer <OIDC JWT> header.");
    }
    return values.get(0).substring("Bearer ".length()).strip();
  }

  private Response rejected(String name, String remote, TokenRejectedException e) {
    LOG.warnf(
        "trigger=%s outcome=rejected code=%s status=%d",
        NAME.matcher(name).matches() ? name : "<invalid>", e.code(), e.code().httpStatus());
    count("rejected", e.code().name());
    if (e.code() != TokenRejectedException.Code.ISSUER_UNAVAILABLE) {
      rejections.reject(
          new RejectionPublisher.Rejection(
              e.code().name(), e.getMessage(), remote, null, "external", null));
    }
    Response.ResponseBuilder response =
        Response.status(e.code().httpStatus())
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(new ErrorBody(e.code().name(), e.getMessage()));
    if (e.code().httpStatus() == 503) {
      response.header("Retry-After", retryAfterSeconds);
    }
    return response.build();
  }

  private void count(String outcome, String code) {
    meters.counter("tollgate.gateway.external", "outcome", outcome, "code", code).increment();
  }
}
