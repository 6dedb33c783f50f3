package dev.tollgate.gateway.github;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Verifies GitHub's {@code X-Hub-Signature-256}: {@code sha256=} and the lowercase hex HMAC-SHA256
 * of the raw request body under the webhook secret. Only that form is accepted; the legacy SHA-1
 * {@code X-Hub-Signature} header is never consulted, so a downgrade to it is impossible.
 */
public final class SignatureVerifier {

  /** The header GitHub signs deliveries with. */
  public static final String HEADER = "X-Hub-Signature-256";

  private static final String PREFIX = "sha256=";
  private static final Pattern HEX_DIGEST = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern ANY_ALGORITHM = Pattern.compile("[A-Za-z0-9_-]{1,32}=.*");

  private static final String MISMATCH =
      HEADER
          + " does not match the body under any configured secret. Check that the webhook's"
          + " secret on GitHub equals "
          + WebhookSecrets.ENVIRONMENT_VARIABLE
          + ", and that nothing between GitHub and the gateway rewrites the body.";

  private final WebhookSecrets secrets;
  private final Clock clock;

  public SignatureVerifier(WebhookSecrets secrets) {
    this(secrets, Clock.systemUTC());
  }

  public SignatureVerifier(WebhookSecrets secrets, Clock clock) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The secrets, for health and startup reporting; they print no secret. */
  public WebhookSecrets secrets() {
    return secrets;
  }

  /** Now, by this verifier's clock. */
  public Instant now() {
    return clock.instant();
  }

  /** {@link #verify(String, byte[], String)} for a delivery that names no hook. */
  public void verify(String signature, byte[] rawBody) throws WebhookRejectedException {
    verify(signature, rawBody, null);
  }

  /**
   * Returns normally only when {@code signature} is a well-formed {@code sha256=} header whose MAC
   * one of the secrets that may verify deliveries of hook {@code hookId} made over exactly these
   * bytes.
   *
   * @param signature the header value, or null when the header is absent
   * @param rawBody the body exactly as received, before any decoding
   * @param hookId the delivery's {@code X-GitHub-Hook-ID}, or null when it names none (or a
   *     malformed one): then only secrets bound to no hook verify it
   * @throws WebhookRejectedException with a {@code SIGNATURE_*} code otherwise
   */
  public void verify(String signature, byte[] rawBody, String hookId)
      throws WebhookRejectedException {
    if (signature == null || signature.isEmpty()) {
      throw new WebhookRejectedException(
          RejectionCode.SIGNATURE_MISSING,
          HEADER
              + " is missing. Set a secret on the GitHub webhook; GitHub then signs every"
              + " delivery with it.");
    }
    if (!signature.startsWith(PREFIX)) {
      if (ANY_ALGORITHM.matcher(signature).matches()) {
        throw new WebhookRejectedException(
            RejectionCode.SIGNATURE_UNSUPPORTED_ALGORITHM,
            HEADER + " must be an HMAC-SHA256 ('sha256=<hex>'); no other algorithm is accepted.");
      }
      throw new WebhookRejectedException(
          RejectionCode.SIGNATURE_MALFORMED, HEADER + " must be 'sha256=<64 lowercase hex>'.");
    }
    String hex = signature.substring(PREFIX.length());
    if (!HEX_DIGEST.matcher(hex).matches()) {
      throw new WebhookRejectedException(
          RejectionCode.SIGNATURE_MALFORMED, HEADER + " must be 'sha256=<64 lowercase hex>'.");
    }
    WebhookSecrets.Match match =
        secrets.match(rawBody, HexFormat.of().parseHex(hex), now(), hookId);
    if (match == WebhookSecrets.Match.OTHER_HOOK) {
      // Said to the sender as a mismatch would be (401); the code tells the operator a secret
      // bound to one hook was presented for another, which a leaked secret looks like.
      throw new WebhookRejectedException(
          RejectionCode.SIGNATURE_HOOK_MISMATCH,
          HEADER
              + " was made with a webhook secret bound to another hook than "
              + DeliveryHeaders.HOOK_ID
              + " names"
              + (hookId == null ? " (none)" : " (" + hookId + ")")
              + ". Each hook signs with its own secret: check that the secret set on this"
              + " hook in GitHub is the one configured with its hook id, or that the secret has"
              + " not leaked.",
          MISMATCH);
    }
    if (match == WebhookSecrets.Match.EXPIRED) {
      throw new WebhookRejectedException(
          RejectionCode.SIGNATURE_SECRET_EXPIRED,
          HEADER
              + " was made with a webhook secret whose not-after has passed. Set the webhook's"
              + " secret on GitHub to a current entry of "
              + WebhookSecrets.ENVIRONMENT_VARIABLE
              + ".");
    }
    if (match != WebhookSecrets.Match.ACTIVE) {
      throw new WebhookRejectedException(RejectionCode.SIGNATURE_MISMATCH, MISMATCH);
    }
  }
}
